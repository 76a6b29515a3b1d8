from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "caunoi.publication"
    label = "publication"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to cases' answered signal)
