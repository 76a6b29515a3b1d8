"""The case page's action forms (staff). The citizen's forms on the track page are in citizen.py.

The same table of actions as the API (api/actions.py): one validator and one service per action.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from caunoi.core.errors import ApplicationError, NotFound

from ..access import ActionNotAllowed, access_case_for_action, cases_for_staff
from ..api.actions import ACTIONS
from .errors import error_texts


def _report_invalid(request: HttpRequest, errors: dict[str, object]) -> None:
    for message in error_texts(errors):
        messages.error(request, message)


@login_required
@require_POST
def staff_case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    try:
        case = access_case_for_action(request.user, case_id, action)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    except ActionNotAllowed as exc:
        messages.error(request, str(exc.message))
        return redirect("cases:staff-case", case_id=case_id)
    form = spec.input(data=request.POST, context={"user": request.user, "case": case, "web_form": True})
    if not form.is_valid():
        _report_invalid(request, form.errors)
        return redirect("cases:staff-case", case_id=case_id)
    try:
        spec.run(case, request.user, form.validated_data)  # type: ignore[arg-type]
    except ApplicationError as exc:
        _report_invalid(request, exc.extra.get("errors") or {"": [str(exc.message)]})
        return redirect("cases:staff-case", case_id=case_id)
    messages.success(request, str(spec.done))
    if not cases_for_staff(request.user).filter(pk=case_id).exists():  # type: ignore[arg-type]
        return redirect("cases:staff-queue")  # transferred out of the user's agencies
    return redirect("cases:staff-case", case_id=case_id)
