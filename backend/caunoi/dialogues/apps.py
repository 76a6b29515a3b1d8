from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "caunoi.dialogues"
    label = "dialogues"
    verbose_name = _("Online dialogues")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to cases' anonymisation signal)
