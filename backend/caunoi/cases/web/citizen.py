"""The citizen's forms on the track page: the reply to a request for information, the rating, the appeal.

One pattern for all three (as on the submit form): a refused form comes back with HTTP 400, its messages beside
each field and in the summary, in the page's language, with everything typed or chosen kept. They validate with
the API's serializers, so the page and the API say the same things.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _send(
    request: HttpRequest,
    tracking_code: str,
    *,
    form: str,
    fields: Any,
    input_class: Any,
    data: Any,
    run: Callable[..., Any],
    main_field: str,
    done: str,
) -> HttpResponse:
    """One citizen form of the track page: validate, run the service, or send the form back (400, or the
    service's status) with the messages beside the fields and the text as typed."""
    case = case_tracked_in_session(request, tracking_code)
    checked = input_class(data=data, context={"web_form": True})
    if not checked.is_valid():
        return _refused(request, tracking_code, form=form, fields=fields, errors=checked.errors)
    try:
        run(case=case, **checked.validated_data)
    except ApplicationError as exc:
        errors = exc.extra.get("errors") or {main_field: [str(exc.message)]}
        return _refused(request, tracking_code, form=form, fields=fields, errors=errors, status=exc.status_code)
    messages.success(request, done)
    return redirect("cases:track-detail", tracking_code=tracking_code)


@require_POST
def track_reply(request: HttpRequest, tracking_code: str) -> HttpResponse:
    data = request.POST.copy()
    data.setlist("attachments", request.FILES.getlist("attachments"))  # type: ignore[arg-type]
    return _send(
        request, tracking_code, form="reply", fields=REPLY_FIELDS, input_class=CitizenReplyInput, data=data,
        run=case_citizen_reply, main_field="body", done=_("Your reply has been sent; the deadline runs again."),
    )  # fmt: skip


@require_POST
def track_rating(request: HttpRequest, tracking_code: str) -> HttpResponse:
    return _send(
        request, tracking_code, form="rating", fields=RATING_FIELDS, input_class=RatingInput, data=request.POST,
        run=case_rate, main_field="score", done=_("Thank you for rating the answer."),
    )  # fmt: skip


@require_POST
def track_appeal(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The citizen's appeal from the track page. A refusal is shown beside the reason, which is kept."""
    return _send(
        request, tracking_code, form="appeal", fields=APPEAL_FIELDS, input_class=AppealInput, data=request.POST,
        run=case_appeal, main_field="reason", done=_("Your appeal has been sent: the answer will be reconsidered."),
    )  # fmt: skip
