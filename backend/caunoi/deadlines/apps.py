from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "caunoi.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (connects the signals that refresh the calendar copy)
