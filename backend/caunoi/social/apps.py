from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    """Cross-posting to agencies' social pages (Facebook, Zalo OA, a generic webhook) when an answer is
    published or a dialogue announced. The top floor: it reads publication and dialogues through their
    signals, and nothing imports it."""

    name = "caunoi.social"
    label = "social"
    verbose_name = _("Social cross-posting")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to publication's and dialogues' signals)
