"""The intake desk's pages: enter a letter, call, visit or fax for a citizen; print its receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from caunoi.agencies.models import Area, Category
from caunoi.cases.attachments import ALLOWED_EXTENSIONS
from caunoi.cases.models import STAFF_ENTERED_CHANNELS, Kind
from caunoi.cases.selectors import due_explanation, status_label
from caunoi.cases.web.area_choice import chosen_area, communes_of, place_errors_where_chosen, wants_communes_listed
from caunoi.cases.web.errors import error_texts
from caunoi.core import clock
from caunoi.core.errors import NotFound

from ..access import access_entered_case, may_enter_for_citizen
from ..staff import StaffEnteredSerializer, case_enter_for_citizen, max_backdate_days

# The access code of the case just entered, shown once on its receipt (like the citizen's confirmation page).
SESSION_ENTERED = "intake_entered"


def _context(data: QueryDict | dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    today = clock.local_date()
    return {
        "data": data,
        "errors": {field: error_texts(detail) for field, detail in errors.items()},
        "kinds": Kind.choices,
        "channels": [(c.value, c.label) for c in STAFF_ENTERED_CHANNELS],
        "categories": Category.objects.filter(is_active=True).order_by("name"),
        "provinces": Area.objects.filter(kind=Area.Kind.PROVINCE).order_by("name"),
        "communes": communes_of(str(data.get("province") or "")),
        "accept_attribute": ",".join(ALLOWED_EXTENSIONS),
        "accepted_types": ", ".join(e.lstrip(".").upper() for e in ALLOWED_EXTENSIONS),
        "attachment_max_count": settings.ATTACHMENT_MAX_COUNT,
        "attachment_max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "today": today.isoformat(),
        "earliest": (today - dt.timedelta(days=max_backdate_days())).isoformat(),
        "max_backdate_days": max_backdate_days(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    if not may_enter_for_citizen(request.user):  # type: ignore[arg-type]
        raise Http404
    if request.method == "GET":
        return render(request, "intake/enter.html", _context({"received_on": clock.local_date().isoformat()}, {}))
    if wants_communes_listed(request.POST):  # the province step without JavaScript (as on the citizen's form)
        context = _context(request.POST, {})
        context["files_dropped"] = bool(request.FILES)
        return render(request, "intake/enter.html", context)
    data = request.POST.copy()
    data["area"], area_errors = chosen_area(request.POST)
    data.setlist("attachments", request.FILES.getlist("attachments"))  # type: ignore[arg-type]
    serializer = StaffEnteredSerializer(data=data, context={"web_form": True})  # the form's own fields too
    if not serializer.is_valid() or area_errors:
        errors = place_errors_where_chosen({**serializer.errors, **area_errors}, request.POST)
        context = _context(request.POST, errors)
        context["files_dropped"] = bool(request.FILES)
        return render(request, "intake/enter.html", context, status=400)
    submitted = case_enter_for_citizen(data=serializer.validated_data, by=request.user)  # type: ignore[arg-type]
    request.session[SESSION_ENTERED] = {"id": submitted.case.pk, "token": submitted.access_token}
    return redirect("intake:receipt", case_id=submitted.case.pk)


@never_cache
@login_required
def receipt(request: HttpRequest, case_id: int) -> HttpResponse:
    """The printable receipt: tracking code, date of receipt, agency, deadline; the access code only the first
    time it is opened after entering the case (it is never stored)."""
    try:
        case = access_entered_case(request.user, case_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    token = ""
    entered = request.session.get(SESSION_ENTERED)
    if entered and entered.get("id") == case.pk:
        token = entered.get("token", "")
        request.session.pop(SESSION_ENTERED)
    return render(
        request,
        "intake/receipt.html",
        {
            "case": case,
            "access_token": token,
            "status_label": status_label(case),
            "due": due_explanation(case),
            "track_url": request.build_absolute_uri(reverse("cases:track")),
        },
    )
