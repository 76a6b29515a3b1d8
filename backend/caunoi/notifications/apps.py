from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caunoi.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers the system check and the receivers)
