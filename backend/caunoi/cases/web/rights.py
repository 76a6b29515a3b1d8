"""The citizen's data-protection rights on the track page (proved by access code in this session, or the
account that sent the case), and the staff page of deletion requests. Same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.core import clock
from caunoi.core.errors import ApplicationError, NotFound

from ..access import access_erasure_request_for_staff, cases_for_staff
from ..api.rights import STAFF_ROLES, personal_data_response
from ..selectors import erasure_requests_open
from ..services.rights import (
    account_data_export,
    case_consent_withdraw,
    case_data_export,
    case_erasure_request,
    erasure_request_carry_out,
)
from .views import case_tracked_in_session


@require_POST
def track_consent_withdraw(request: HttpRequest, tracking_code: str) -> HttpResponse:
    case = case_tracked_in_session(request, tracking_code)
    case_consent_withdraw(case=case, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Your consent is withdrawn: your question and its answer are no longer published."))
    return redirect("cases:track-detail", tracking_code=tracking_code)


@require_POST
def track_personal_data(request: HttpRequest, tracking_code: str) -> HttpResponse:
    case = case_tracked_in_session(request, tracking_code)
    return personal_data_response(case, case_data_export(case=case, by=request.user))  # type: ignore[arg-type]


@login_required
@require_POST
def account_personal_data(request: HttpRequest) -> HttpResponse:
    return personal_data_response(None, account_data_export(user=request.user))  # type: ignore[arg-type]


@require_POST
def track_erasure(request: HttpRequest, tracking_code: str) -> HttpResponse:
    case = case_tracked_in_session(request, tracking_code)
    try:
        erasure, _created = case_erasure_request(case=case, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        due = formats.date_format(timezone.localtime(erasure.due_at), "d/m/Y H:i")
        messages.success(
            request,
            _("Your request to delete your personal data was received. It will be done by %(due)s.") % {"due": due},
        )
    return redirect("cases:track-detail", tracking_code=tracking_code)


@login_required
def erasure_queue(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", "") not in STAFF_ROLES:
        raise Http404
    rows = erasure_requests_open(cases_for_staff(request.user))[:200]  # type: ignore[arg-type]
    # Overdue is derived when reading (the due time was stored when the request came).
    return render(request, "cases/erasure_queue.html", {"rows": rows, "now": clock.now()})


@login_required
@require_POST
def erasure_carry_out(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        erasure = access_erasure_request_for_staff(request.user, request_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    try:
        erasure_request_carry_out(request=erasure, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The personal data of %(code)s was deleted.") % {"code": erasure.case.tracking_code}
        )
    return redirect("cases:staff-erasure-requests")
