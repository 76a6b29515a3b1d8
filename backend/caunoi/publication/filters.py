"""The search's query parameters, parsed by one django-filter FilterSet that the API and the search page
share, so both refuse the same values with the same field-level messages."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Kind

from .models import PublishedItem
from .search import CANDIDATES, MAX_QUERY_LENGTH, SearchFilters

DATE_MESSAGE = _("Enter a date as YYYY-MM-DD, for example 2026-12-31.")
PAGE_SIZE = 20
MAX_PAGE = CANDIDATES // PAGE_SIZE  # ranking is bounded: there is nothing to page through beyond it
# Lazy, so the message is in the language of the request, not of the process at import time.
PAGE_MESSAGE = format_lazy(_("Enter a page number from 1 to {max}."), max=MAX_PAGE)


class PublishedSearchForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end of the period must not be before its start."))
        return data


class PublishedSearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="keep",
        max_length=MAX_QUERY_LENGTH,
        label=_("Words to search for"),
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        to_field_name="code",
        method="keep",
        label=_("Agency"),
        error_messages={"invalid_choice": _("Unknown agency.")},
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="keep",
        label=_("Topic"),
        error_messages={"invalid_choice": _("Unknown topic.")},
    )
    kind = django_filters.ChoiceFilter(
        choices=Kind.choices,
        method="keep",
        label=_("Kind"),
        error_messages={"invalid_choice": _("Choose question, feedback or petition.")},
    )
    page = django_filters.NumberFilter(
        method="keep",
        min_value=1,
        max_value=MAX_PAGE,
        label=_("Page"),
        error_messages={"invalid": PAGE_MESSAGE, "min_value": PAGE_MESSAGE, "max_value": PAGE_MESSAGE},
    )

    class Meta:
        model = PublishedItem
        fields: list[str] = []
        form = PublishedSearchForm

    def keep(self, queryset: Any, name: str, value: Any) -> Any:
        # The search itself is raw SQL (search.py): the FilterSet only parses and validates.
        return queryset

    def search_filters(self, *, within_path: str = "") -> SearchFilters:
        """The parsed filters, searched within the agency subtree at `within_path` (the current site's)."""
        data = self.form.cleaned_data
        return SearchFilters(
            agency=data.get("agency"),
            category=data.get("category"),
            kind=data.get("kind") or "",
            published_from=data.get("from"),
            published_to=data.get("to"),
            within_path=within_path,
        )

    def page_number(self) -> int:
        return int(self.form.cleaned_data.get("page") or 1)

    def query(self) -> str:
        return self.form.cleaned_data.get("q") or ""


# `from` and `to` are Python keywords: declared here rather than as class attributes.
for _name, _label in (("from", _("Published from")), ("to", _("Published until"))):
    PublishedSearchFilterSet.base_filters[_name] = django_filters.DateFilter(
        field_name=_name,
        method="keep",
        label=_label,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_MESSAGE},
    )
