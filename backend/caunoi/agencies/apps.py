from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "caunoi.agencies"
    label = "agencies"
    verbose_name = _("Agencies and areas")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import reference  # noqa: F401  (connects the signals that refresh the reference copy)
