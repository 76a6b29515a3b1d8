from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    """Feeds, signed webhooks to partner portals, import from other portals, Open311: how published items
    travel between portals. Its own app (above publication) because it has its own models and partners."""

    name = "caunoi.syndication"
    label = "syndication"
