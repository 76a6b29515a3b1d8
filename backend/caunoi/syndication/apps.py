from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyndicationConfig(AppConfig):
    """Feeds, signed webhooks to partner portals, import from other portals, Open311: how published items
    travel between portals. Its own app (above publication) because it has its own models and partners."""

    name = "caunoi.syndication"
    label = "syndication"
    verbose_name = _("Syndication to partner portals")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to publication's item signals)
