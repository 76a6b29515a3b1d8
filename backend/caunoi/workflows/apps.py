from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "caunoi.workflows"
    label = "workflows"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
