from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnderstandingConfig(AppConfig):
    name = "caunoi.understanding"
    label = "understanding"
    verbose_name = _("Understanding text")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Cases and publication sit below this app: they reach it only through core.hooks and their signals.
        from . import receivers

        receivers.connect()
