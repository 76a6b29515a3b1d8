"""Who may read reports, and over which agencies. The only way an interface obtains a report scope.

Leaders see their own agencies and every agency below them, rolled up; administrators see everything.
Officials (their queue is their view), moderators, citizens and anonymous visitors see no staff reports:
for them the pages do not exist (not allowed looks like not found). The public league table needs no access.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency
from caunoi.core.errors import NotFound

from .scope import EVERY_AGENCY, Scope

REPORT_ROLES = frozenset({Role.LEADER, Role.ADMIN})


def may_read_reports(user: User) -> bool:
    """Leaders and administrators (read by the navigation too)."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return user.role in REPORT_ROLES


def leader_paths(user: User) -> tuple[str, ...]:
    """The paths of the agencies a leader belongs to, outermost first, nested ones dropped."""
    paths = sorted(Agency.objects.filter(memberships__user=user).values_list("path", flat=True))
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def access_report_scope(user: User, agency_code: str | None) -> Scope:
    """The scope `user` asked for: the agency `agency_code` and everything below it, or, without a code,
    everything the user may see (an admin: every agency; a leader: their agencies and those below).

    Raises NotFound when the user may not read reports or the agency is unknown or out of their reach.
    """
    if not may_read_reports(user):
        raise NotFound(_("Page not found."))
    if user.role == Role.ADMIN:
        if not agency_code:
            return EVERY_AGENCY
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise NotFound(_("No agency has this code."))
        return Scope(paths=(agency.path,), agency=agency)
    reach = leader_paths(user)
    if not reach:
        raise NotFound(_("Page not found."))
    if not agency_code:
        if len(reach) == 1:
            agency = Agency.objects.get(path=reach[0])
            return Scope(paths=reach, agency=agency)
        return Scope(paths=reach)
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise NotFound(_("No agency has this code."))
    if not any(agency.path.startswith(path) for path in reach):
        raise NotFound(_("No agency has this code."))
    return Scope(paths=(agency.path,), agency=agency)


def agencies_for_choice(user: User) -> list[Agency]:
    """The agencies `user` may choose in the report filters, in tree order."""
    if not may_read_reports(user):
        return []
    agencies = Agency.objects.filter(is_active=True).order_by("path")
    if user.role == Role.ADMIN:
        return list(agencies)
    reach = leader_paths(user)
    return [agency for agency in agencies if any(agency.path.startswith(path) for path in reach)]
