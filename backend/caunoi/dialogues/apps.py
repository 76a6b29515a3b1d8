from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "caunoi.dialogues"
    label = "dialogues"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to cases' anonymisation signal)
