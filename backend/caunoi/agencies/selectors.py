"""Reads over the agency tree."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith

from caunoi.accounts.models import Role, User

from .models import Agency, Membership


def agency_subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and every agency below it, at any depth."""
    return Agency.objects.filter(path__startswith=agency.path)


def agency_ids_in_reach(user: User) -> list[int]:
    """Ids of the agencies whose cases `user` works on: their own; for a leader, also every agency below.

    One query, remembered on the user object: that object lives for one request (or one task), and a
    request asks this several times (the access funnel, then the queue's plan). Code that changes a
    user's memberships and asks again within the same object's life must call `forget_reach(user)`.
    """
    known = user.__dict__.get(_REACH)
    if known is not None:
        return known
    memberships = Membership.objects.filter(user=user)
    if user.role == Role.LEADER:
        # Every agency whose path starts with the path of an agency the leader belongs to.
        below = memberships.filter(StartsWith(OuterRef("path"), F("agency__path")))
        reach = list(Agency.objects.filter(Exists(below)).order_by("pk").values_list("pk", flat=True))
    else:
        reach = list(memberships.order_by("agency_id").values_list("agency_id", flat=True))
    user.__dict__[_REACH] = reach
    return reach


def forget_reach(user: User) -> None:
    """Drops what agency_ids_in_reach remembered on `user` (after changing their memberships)."""
    user.__dict__.pop(_REACH, None)


_REACH = "_agency_ids_in_reach"
