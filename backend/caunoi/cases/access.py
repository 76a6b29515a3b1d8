"""The only ways an interface obtains a case for someone. Not allowed and not found look the same."""

from __future__ import annotations

import hmac
import re

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency
from caunoi.agencies.selectors import agency_ids_in_reach
from caunoi.core.errors import ApplicationError, NotFound
from caunoi.workflows.registry import workflows

from .models import Case, CaseEvent, ErasureRequest, EventType
from .services.submission import hash_token

CASE_NOT_FOUND = _("No case matches this tracking code and access code.")
# What a tracking code looks like (models.TRACKING_PREFIX, the year, the id; a split part adds "-<n>"): anything
# else matches no case and is never sent to the database (a NUL byte there would be an error, not "not found").
TRACKING_CODE = re.compile(r"[A-Z]{2}-\d{4}-\d{1,18}(-\d{1,4})?")


def access_case_for_tracker(tracking_code: str, access_token: str) -> Case:
    """The case whose tracking code and secret access token both match. Raises NotFound otherwise."""
    tracking_code = tracking_code.strip().upper()
    if not TRACKING_CODE.fullmatch(tracking_code):
        raise NotFound(CASE_NOT_FOUND)
    case = Case.objects.select_related("agency", "category", "area").filter(tracking_code=tracking_code).first()
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    if not hmac.compare_digest(case.access_token_hash, hash_token(access_token.strip())):
        raise NotFound(CASE_NOT_FOUND)
    return case


def cases_of_submitter(user: User) -> QuerySet[Case]:
    """The cases `user` sent while logged in (kept until their personal data is anonymised)."""
    cases = Case.objects.select_related("agency")
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    return cases.filter(submitter=user)


def access_case_for_citizen(*, user: User, tracked_ids: list[int], tracking_code: str) -> Case:
    """The case at `tracking_code` for the citizen's own pages: this browser proved its access code before
    (`tracked_ids`, kept in its session), or `user` sent the case while logged in. Raises NotFound otherwise."""
    if not TRACKING_CODE.fullmatch(tracking_code):
        raise NotFound(CASE_NOT_FOUND)
    case = Case.objects.select_related("agency", "category", "area").filter(tracking_code=tracking_code).first()
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    if case.pk in tracked_ids or cases_of_submitter(user).filter(pk=case.pk).exists():
        return case
    raise NotFound(CASE_NOT_FOUND)


def cases_for_staff(user: User) -> QuerySet[Case]:
    """Cases a staff member may open: an admin all; an official their agencies'; a leader also those below."""
    cases = Case.objects.select_related("agency", "category", "area", "assignee")
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.role == Role.ADMIN:
        return cases
    if user.role in {Role.OFFICIAL, Role.LEADER}:
        # A case held for moderation (services/flood.py) reaches its agency only once released.
        return cases.filter(agency_id__in=agency_ids_in_reach(user), held_at__isnull=True)
    return cases.none()


def access_case_for_staff(user: User, case_id: int) -> Case:
    """The case if `user` may work on it. Raises NotFound otherwise."""
    case = cases_for_staff(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case not found."))
    return case


class ActionNotAllowed(ApplicationError):
    """The user may see the case but their role may not take this action."""

    status_code = 403


def lifecycle_roles(case: Case, action: str) -> frozenset[str]:
    """Which roles may take `action` on the case, from the lifecycle version it opened under."""
    lifecycle = workflows().lifecycles[case.lifecycle_version]
    if action in lifecycle.transitions:
        return lifecycle.transitions[action].roles
    return lifecycle.actions[action].roles


def access_case_for_action(user: User, case_id: int, action: str) -> Case:
    """The case, if `user` may take `action` on it.

    Raises NotFound when the case is outside the user's agencies (or does not exist), ActionNotAllowed
    when their role may not take the action. Whether the case's current state allows it is the service's
    check, made under a row lock (409).
    """
    case = access_case_for_staff(user, case_id)
    if user.role not in lifecycle_roles(case, action):
        raise ActionNotAllowed(_("Your role may not do this."))
    return case


def actions_for(user: User, case: Case) -> list[str]:
    """The actions the page offers `user` on `case`: allowed for their role and possible in its state."""
    lifecycle = workflows().lifecycles[case.lifecycle_version]
    names = [name for name, t in lifecycle.transitions.items() if case.status in t.sources and user.role in t.roles]
    names += [name for name, a in lifecycle.actions.items() if case.status in a.states and user.role in a.roles]
    return names


def access_erasure_request_for_staff(user: User, request_id: int) -> ErasureRequest:
    """A deletion request on a case `user` may work on (cases_for_staff). Raises NotFound otherwise."""
    request = (
        ErasureRequest.objects.select_related("case").filter(pk=request_id, case__in=cases_for_staff(user)).first()
    )
    if request is None:
        raise NotFound(_("Deletion request not found."))
    return request


def may_release_holds(user: User) -> bool:
    """Moderators and administrators decide on cases held for moderation (services/flood.py)."""
    return user.is_authenticated and user.is_active and user.role in {Role.MODERATOR, Role.ADMIN}


def held_cases_for(user: User) -> QuerySet[Case]:
    """The cases held for moderation `user` may see: all of them for a moderator or administrator, else none."""
    if not may_release_holds(user):
        return Case.objects.none()
    return Case.objects.filter(held_at__isnull=False).select_related("agency", "category")


def access_held_case(user: User, case_id: int) -> Case:
    """A held case `user` may release. Raises NotFound otherwise (also for a case no longer held)."""
    case = held_cases_for(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def transfer_out_of_reach(user: User, case_id: int) -> CaseEvent | None:
    """The transfer that took case `case_id` out of `user`'s agencies, when that is why they can no longer open
    it: their unsaved work is then answered with where the case went, never with "not found". None when the
    case is still theirs, or never passed through their agencies (nothing is said about it)."""
    if not user.is_authenticated or user.role not in {Role.OFFICIAL, Role.LEADER}:
        return None
    if cases_for_staff(user).filter(pk=case_id).exists():
        return None
    reach = Agency.objects.filter(pk__in=agency_ids_in_reach(user)).values_list("code", flat=True)
    return (
        CaseEvent.objects.select_related("actor", "case")
        .filter(case_id=case_id, type=EventType.TRANSFERRED, payload__from__in=list(reach))
        .order_by("-at", "-id")
        .first()
    )
