"""Cases held for moderation (services/flood.py): the list and the release, for moderators and administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caunoi.accounts.models import User
from caunoi.core.errors import NotFound

from ..access import access_held_case, held_cases_for, may_release_holds
from ..services import NotHeld, case_release_hold

HELD_PER_PAGE = 200


def _moderator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_release_holds(user):
        raise Http404
    return user


@login_required
def held_list(request: HttpRequest) -> HttpResponse:
    user = _moderator(request)
    cases = held_cases_for(user).order_by("held_at", "id")[:HELD_PER_PAGE]
    return render(request, "cases/held.html", {"cases": cases})


@login_required
@require_POST
def held_release(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _moderator(request)
    try:
        case = access_held_case(user, case_id)
        case_release_hold(case_id=case.pk, by=user)
    except (NotFound, NotHeld):
        messages.error(request, _("This case is not held any more."))
    else:
        messages.success(
            request,
            _("%(code)s released: it is in its agency's queue and its clock runs.") % {"code": case.tracking_code},
        )
    return redirect("cases:staff-held")
