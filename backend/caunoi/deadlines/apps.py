from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "caunoi.deadlines"
    label = "deadlines"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (connects the signals that refresh the calendar copy)
