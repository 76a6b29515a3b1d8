from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "caunoi.publication"
    label = "publication"
    verbose_name = _("Publication")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to cases' answered signal)
