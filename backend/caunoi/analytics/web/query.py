"""The analytics pages' filters (a GET form): site and period, the period read as the reports read it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caunoi.portals.models import Portal
from caunoi.reports.api.serializers import DATE_ERROR
from caunoi.reports.periods import Period, PeriodError, parse_period

from ..selectors import ALL_SITES, BUILT_IN_SITE, Site


def site_choices() -> list[tuple[str, str]]:
    return [
        (ALL_SITES, str(_("Every site"))),
        (BUILT_IN_SITE, str(_("Built-in site (no site configured for the address)"))),
        *((str(portal.pk), f"{portal.display_name} ({portal.host})") for portal in Portal.objects.order_by("host")),
    ]


class AnalyticsQuery(forms.Form):
    site = forms.ChoiceField(required=False, error_messages={"invalid_choice": _("Choose a site from the list.")})
    period = forms.CharField(required=False, max_length=30)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_ERROR})
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = site_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"start", "end", "period"} & self.errors.keys():
            return data
        period = data.get("period") or ""
        try:
            data["parsed_period"] = parse_period(period, data.get("start"), data.get("end"))
        except PeriodError as exc:
            self.add_error("period" if period not in {"", "custom"} else "start", str(exc))
        return data

    def resolved(self) -> tuple[Site, Period]:
        """The site and the period of a valid form."""
        key = self.cleaned_data.get("site") or ALL_SITES
        site = Site(key=key, portal_id=int(key) if key.isdigit() else None)
        return site, self.cleaned_data["parsed_period"]

    def errors_by_field(self) -> dict[str, list[str]]:
        return {field: [str(message) for message in messages] for field, messages in self.errors.items()}
