from django.apps import AppConfig


class FollowsConfig(AppConfig):
    """Following by e-mail (double opt-in, one-click unsubscribe) and "me too" support on published items.
    Beside dialogues and reports: it reads publication and reuses the dialogues' signed device ids."""

    name = "caunoi.follows"
    label = "follows"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the publication signals
