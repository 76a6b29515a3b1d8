"""Administrators see every routing model version with its accuracy on held-out cases beside the rules'."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import RoutingModel


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    list_display = ("__str__", "trained_at", "examples", "held_out", "top1", "top3", "rules")
    exclude = ("blob",)
    readonly_fields = (
        "trained_at",
        "examples",
        "held_out",
        "top1_accuracy",
        "top3_accuracy",
        "rules_accuracy",
        "agencies",
    )
    actions = ["retrain"]

    @admin.display(description=_("top-1 (held out)"))
    def top1(self, obj: RoutingModel) -> str:
        return _percent(obj.top1_accuracy)

    @admin.display(description=_("top-3 (held out)"))
    def top3(self, obj: RoutingModel) -> str:
        return _percent(obj.top3_accuracy)

    @admin.display(description=_("rules alone"))
    def rules(self, obj: RoutingModel) -> str:
        return _percent(obj.rules_accuracy)

    @admin.action(description=_("Train a new version now (in the background)"))
    def retrain(self, request: HttpRequest, queryset: Any) -> None:
        from .tasks import retrain_routing_model

        retrain_routing_model.delay()
        messages.info(request, _("Training has been queued; the new version appears here when it is done."))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
