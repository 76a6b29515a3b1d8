from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "caunoi.workflows"
    label = "workflows"
    verbose_name = _("Workflows")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
