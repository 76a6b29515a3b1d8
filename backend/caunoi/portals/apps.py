from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalsConfig(AppConfig):
    name = "caunoi.portals"
    verbose_name = _("Portals and component sites")
    default_auto_field = "django.db.models.BigAutoField"
