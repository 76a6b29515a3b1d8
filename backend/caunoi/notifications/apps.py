from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caunoi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers the system check and the receivers)
