"""The work-queue page, /staff/queue/: the API's filters as a plain GET form, the same selector, a table.

Works without JavaScript: filtering is a GET form, the next page a link carrying the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caunoi.agencies.models import Area, Category
from caunoi.core import clock, hooks
from caunoi.workflows.registry import workflows

from ..api.queue import QueueQuerySerializer
from ..models import Case, Kind
from ..queue import case_by_code_for_staff, case_list_for_queue, case_search_for_staff
from ..selectors import clock_state, is_overdue, status_label
from .errors import error_texts


@dataclass(frozen=True)
class QueueRow:
    case: Case
    status_label: str
    overdue: bool
    paused: bool
    suggestion: Any = None  # where past cases like it went, when that is elsewhere (core/hooks.py)


# The queue's views: the open cases to work through (the default), the closed ones, or every case.
VIEWS = ("open", "closed", "all")


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """The work queue. A tracking code typed into the search (or the "find by code" box) opens that case,
    whatever its status; "closed" and "all" list the agency's other cases, the newest first."""
    # Citizens and moderators have no queue; as elsewhere on staff pages, what they may not see is not found.
    if not request.user.works_cases:  # type: ignore[union-attr]
        raise Http404
    view = request.GET.get("view", "open") if request.GET.get("view") in VIEWS else "open"
    context = _form_context(request.GET, view)
    code = (request.GET.get("code") or "").strip()
    if code:
        found = case_by_code_for_staff(user=request.user, code=code)  # type: ignore[arg-type]
        if found is not None:
            return redirect("cases:staff-case", case_id=found.pk)
        message = _("No case “%(code)s” in your agencies. Check the code: it looks like HD-2026-000123.")
        context["code_errors"] = [message % {"code": code}]
        return render(request, "cases/queue.html", context, status=404)
    query = QueueQuerySerializer(data=request.GET)
    if not query.is_valid():
        context["errors"] = {field: error_texts(detail) for field, detail in query.errors.items()}
        return render(request, "cases/queue.html", context, status=400)
    found = case_by_code_for_staff(user=request.user, code=query.validated_data.get("q") or "")  # type: ignore[arg-type]
    if found is not None:  # a tracking code in the search box
        return redirect("cases:staff-case", case_id=found.pk)
    if view == "open":
        page = case_list_for_queue(
            user=request.user,  # type: ignore[arg-type]
            filters=query.filters(),
            after=query.validated_data.get("cursor"),
            limit=query.validated_data["limit"],
        )
        rows, next_cursor = page.rows, page.next_cursor
        if next_cursor:
            context["next_url"] = _with_cursor(request, next_cursor)
        if request.GET.get("cursor"):
            context["first_url"] = _with_cursor(request, None)
    else:
        cases = case_search_for_staff(
            user=request.user,  # type: ignore[arg-type]
            filters=query.filters(),
            closed_only=view == "closed",
        )
        numbered = Paginator(cases, query.validated_data["limit"]).get_page(request.GET.get("page"))
        rows = list(numbered)
        if numbered.has_next():
            context["next_url"] = _with_page(request, numbered.next_page_number())
        if numbered.has_previous():
            context["first_url"] = _with_page(request, 1)
    now = clock.now()  # one instant for the whole page
    # Where past cases like each open one went, when that is elsewhere (closed ones are settled).
    suggestions = hooks.queue_suggestions.call(cases=list(rows)) if view == "open" else {}
    context["rows"] = [
        QueueRow(
            case,
            status_label(case, staff=True),
            is_overdue(case, now=now),
            clock_state(case) == "paused",
            suggestions.get(case.pk),
        )
        for case in rows
    ]
    return render(request, "cases/queue.html", context)


def _form_context(data: QueryDict, view: str) -> dict[str, Any]:
    """The form's choices, and the user's input as typed (kept on every page, valid or not)."""
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    lifecycle = workflows().lifecycle
    selected = {part.strip() for value in data.getlist("status") for part in value.split(",")}
    provinces = list(Area.objects.filter(kind=Area.Kind.PROVINCE).order_by("name"))
    filters_in_force = [key for key, value in data.items() if value and key not in {"cursor", "limit", "view", "page"}]
    return {
        "view": view,
        "views": [(name, _VIEW_LABELS[name]) for name in VIEWS],
        "data": data,
        "errors": {},
        "code_errors": [],
        "rows": [],
        "next_url": None,
        "first_url": None,
        "filtered": bool(filters_in_force),
        "filters_in_force": len(filters_in_force),
        "statuses": [
            {"value": name, "label": lifecycle.label(name, language, staff=True), "checked": name in selected}
            for name, state in lifecycle.states.items()
            # The open queue never holds a closed case; the other views may.
            if view != "open" or not state.final
        ],
        "kinds": Kind.choices,
        "categories": Category.objects.order_by("name"),
        "provinces": provinces,
        # An area code given in the address but not in the list (a commune) stays selectable, so the filter
        # in force is always shown.
        "other_area": _other_area(data.get("area", ""), provinces),
    }


_VIEW_LABELS = {
    "open": gettext_lazy("Open cases"),
    "closed": gettext_lazy("Closed cases"),
    "all": gettext_lazy("All"),
}


def _with_page(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}"


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
