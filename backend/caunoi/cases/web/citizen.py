"""The citizen's forms on the track page: the reply to a request for information, the rating, the appeal.

One pattern for all three (as on the submit form): a refused form comes back with HTTP 400, its messages beside
each field and in the summary, in the page's language, with everything typed or chosen kept. They validate with
the API's serializers, so the page and the API say the same things.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.core.errors import ApplicationError

from ..api.serializers import AppealInput, CitizenReplyInput, RatingInput
from ..services import case_appeal, case_citizen_reply, case_rate
from .errors import error_texts
from .views import case_tracked_in_session, track_detail_page

# The page's field ids for each form's fields: the summary links to them, the messages sit beside them.
REPLY_FIELDS = {"body": "reply_body", "attachments": "reply_attachments"}
RATING_FIELDS = {"score": "score", "comment": "rating_comment"}
APPEAL_FIELDS = {"reason": "reason"}


def _refused(
    request: HttpRequest,
    tracking_code: str,
    *,
    form: str,
    fields: dict[str, str],
    errors: dict[str, Any],
    status: int = 400,
) -> HttpResponse:
    """The track page again, with `form`'s input kept and its errors under the page's field ids."""
    case = case_tracked_in_session(request, tracking_code)
    texts = {fields.get(name, "non_field_errors"): error_texts(detail) for name, detail in errors.items()}
    return track_detail_page(
        request,
        case,
        forms={form: {"data": _kept(request.POST), "errors": texts, "files_dropped": bool(request.FILES)}},
        status=status,
    )


def _kept(data: QueryDict) -> dict[str, str]:
    return {key: data.get(key, "") for key in data if key != "csrfmiddlewaretoken"}


@require_POST
def track_reply(request: HttpRequest, tracking_code: str) -> HttpResponse:
    case = case_tracked_in_session(request, tracking_code)
    data = request.POST.copy()
    data.setlist("attachments", request.FILES.getlist("attachments"))  # type: ignore[arg-type]
    form = CitizenReplyInput(data=data, context={"web_form": True})
    if not form.is_valid():
        return _refused(request, tracking_code, form="reply", fields=REPLY_FIELDS, errors=form.errors)
    try:
        case_citizen_reply(case=case, **form.validated_data)
    except ApplicationError as exc:
        errors = exc.extra.get("errors") or {"body": [str(exc.message)]}
        return _refused(
            request, tracking_code, form="reply", fields=REPLY_FIELDS, errors=errors, status=exc.status_code
        )
    messages.success(request, _("Your reply has been sent; the deadline runs again."))
    return redirect("cases:track-detail", tracking_code=tracking_code)


@require_POST
def track_rating(request: HttpRequest, tracking_code: str) -> HttpResponse:
    case = case_tracked_in_session(request, tracking_code)
    form = RatingInput(data=request.POST, context={"web_form": True})
    if not form.is_valid():
        return _refused(request, tracking_code, form="rating", fields=RATING_FIELDS, errors=form.errors)
    try:
        case_rate(case=case, **form.validated_data)
    except ApplicationError as exc:
        errors = exc.extra.get("errors") or {"score": [str(exc.message)]}
        return _refused(
            request, tracking_code, form="rating", fields=RATING_FIELDS, errors=errors, status=exc.status_code
        )
    messages.success(request, _("Thank you for rating the answer."))
    return redirect("cases:track-detail", tracking_code=tracking_code)


@require_POST
def track_appeal(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The citizen's appeal from the track page. A refusal is shown beside the reason, which is kept."""
    case = case_tracked_in_session(request, tracking_code)
    form = AppealInput(data=request.POST, context={"web_form": True})
    if not form.is_valid():
        return _refused(request, tracking_code, form="appeal", fields=APPEAL_FIELDS, errors=form.errors)
    try:
        case_appeal(case=case, reason=form.validated_data["reason"])
    except ApplicationError as exc:
        errors = {"reason": [str(exc.message)]}
        return _refused(
            request, tracking_code, form="appeal", fields=APPEAL_FIELDS, errors=errors, status=exc.status_code
        )
    messages.success(request, _("Your appeal has been sent: the answer will be reconsidered."))
    return redirect("cases:track-detail", tracking_code=tracking_code)
