from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caunoi.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
