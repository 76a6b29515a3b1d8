"""The case page's action forms (staff). The citizen's forms on the track page are in citizen.py.

The same table of actions as the API (api/actions.py): one validator and one service per action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from caunoi.core.errors import ApplicationError, NotFound

from ..access import ActionNotAllowed, access_case_for_action, access_case_for_staff, cases_for_staff
from ..api.actions import ACTIONS
from ..services import InvalidTransition
from .drafts import draft_rescue
from .errors import SentBack
from .views import staff_case_page

# The ids of a form's fields on the case page are "<prefix><field>" (templates cases/includes/action_*.html).
FORM_PREFIXES = {"request_info": "action-request-info-", "link_duplicate": "action-link-"}


def _sent_back(action: str, data: QueryDict, errors: Any) -> SentBack:
    fields = ACTIONS[action].input().fields
    labels = {name: str(field.label) for name, field in fields.items() if field.label}
    return SentBack.of(action, data, errors, labels, FORM_PREFIXES.get(action, f"action-{action}-"))


@login_required
@require_POST
def staff_case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """One action form of the case page. A refusal sends the form back (the one pattern, SentBack): the case
    page again with the form open, the messages beside each field and in a summary, the text as typed."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    try:
        case = access_case_for_action(request.user, case_id, action)  # type: ignore[arg-type]
    except NotFound as exc:
        if action == "draft":  # the case moved out of reach while the answer was being written
            return draft_rescue(request, case_id=case_id, refusal=exc)
        raise Http404 from exc
    except ActionNotAllowed as exc:
        case = access_case_for_staff(request.user, case_id)  # type: ignore[arg-type]
        sent_back = _sent_back(action, request.POST, [str(exc.message)])
        return staff_case_page(request, case, sent_back=sent_back, status=exc.status_code)
    form = spec.input(data=request.POST, context={"user": request.user, "case": case, "web_form": True})
    if not form.is_valid():
        return staff_case_page(request, case, sent_back=_sent_back(action, request.POST, form.errors), status=400)
    try:
        spec.run(case, request.user, form.validated_data)  # type: ignore[arg-type]
    except ApplicationError as exc:
        if action == "draft" and isinstance(exc, InvalidTransition):
            return draft_rescue(request, case_id=case_id, refusal=exc)
        errors = exc.extra.get("errors") or [str(exc.message)]
        case.refresh_from_db()
        return staff_case_page(
            request, case, sent_back=_sent_back(action, request.POST, errors), status=exc.status_code
        )
    messages.success(request, str(spec.done))
    if not cases_for_staff(request.user).filter(pk=case_id).exists():  # type: ignore[arg-type]
        return redirect("cases:staff-queue")  # transferred out of the user's agencies
    return redirect("cases:staff-case", case_id=case_id)
