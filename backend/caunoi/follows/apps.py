from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    """Following by e-mail (double opt-in, one-click unsubscribe) and "me too" support on published items.
    Beside dialogues and reports: it reads publication and reuses the dialogues' signed device ids."""

    name = "caunoi.follows"
    label = "follows"
    verbose_name = _("Following and support")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the publication signals
