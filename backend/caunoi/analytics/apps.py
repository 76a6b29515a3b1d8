from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "caunoi.analytics"
    label = "analytics"
    verbose_name = _("Usage analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Publication only sends signals; counting is connected here so that nothing below imports analytics.
        from . import counting

        counting.connect()
        # The FAQ (understanding, a floor below) ranks answers by their views through this hook.
        from caunoi.core import hooks

        from .selectors import item_view_totals

        hooks.item_view_counts.register(item_view_totals)
