"""The work-queue page, /staff/queue/: the API's filters as a plain GET form, the same selector, a table.

Works without JavaScript: filtering is a GET form, the next page a link carrying the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from caunoi.agencies.models import Area, Category
from caunoi.core import clock
from caunoi.workflows.registry import workflows

from ..api.queue import QueueQuerySerializer
from ..models import Case, Kind
from ..queue import case_list_for_queue
from ..selectors import clock_state, is_overdue, status_label
from .errors import error_texts


@dataclass(frozen=True)
class QueueRow:
    case: Case
    status_label: str
    overdue: bool
    paused: bool


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    # Citizens and moderators have no queue; as elsewhere on staff pages, what they may not see is not found.
    if not request.user.works_cases:  # type: ignore[union-attr]
        raise Http404
    query = QueueQuerySerializer(data=request.GET)
    context = _form_context(request.GET)
    if not query.is_valid():
        context["errors"] = {field: error_texts(detail) for field, detail in query.errors.items()}
        return render(request, "cases/queue.html", context, status=400)
    page = case_list_for_queue(
        user=request.user,  # type: ignore[arg-type]
        filters=query.filters(),
        after=query.validated_data.get("cursor"),
        limit=query.validated_data["limit"],
    )
    now = clock.now()  # one instant for the whole page
    context["rows"] = [
        QueueRow(case, status_label(case, staff=True), is_overdue(case, now=now), clock_state(case) == "paused")
        for case in page.rows
    ]
    if page.next_cursor:
        context["next_url"] = _with_cursor(request, page.next_cursor)
    if request.GET.get("cursor"):
        context["first_url"] = _with_cursor(request, None)
    return render(request, "cases/queue.html", context)


def _form_context(data: QueryDict) -> dict[str, Any]:
    """The form's choices, and the user's input as typed (kept on every page, valid or not)."""
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    lifecycle = workflows().lifecycle
    selected = {part.strip() for value in data.getlist("status") for part in value.split(",")}
    provinces = list(Area.objects.filter(kind=Area.Kind.PROVINCE).order_by("name"))
    return {
        "data": data,
        "errors": {},
        "rows": [],
        "next_url": None,
        "first_url": None,
        "filtered": any(value for key, value in data.items() if key not in {"cursor", "limit"}),
        "statuses": [
            {"value": name, "label": lifecycle.label(name, language, staff=True), "checked": name in selected}
            for name, state in lifecycle.states.items()
            if not state.final  # closed cases are never in the queue
        ],
        "kinds": Kind.choices,
        "categories": Category.objects.order_by("name"),
        "provinces": provinces,
        # An area code given in the address but not in the list (a commune) stays selectable, so the filter
        # in force is always shown.
        "other_area": _other_area(data.get("area", ""), provinces),
    }


def _other_area(code: str, provinces: list[Area]) -> Area | None:
    if not code or any(province.code == code for province in provinces):
        return None
    return Area.objects.filter(code=code).first()


def _with_cursor(request: HttpRequest, cursor: str | None) -> str:
    """This page's address, filters kept, with `cursor` set (or removed: the first page)."""
    query = request.GET.copy()
    query.pop("cursor", None)
    if cursor:
        query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}" if query else request.path
