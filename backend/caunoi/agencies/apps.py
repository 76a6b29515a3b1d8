from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "caunoi.agencies"
    label = "agencies"

    def ready(self) -> None:
        from . import reference  # noqa: F401  (connects the signals that refresh the reference copy)
