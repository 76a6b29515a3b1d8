"""Reads over the agency tree."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from caunoi.accounts.models import Role, User

from .models import Agency


def agency_subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and every agency below it, at any depth."""
    return Agency.objects.filter(path__startswith=agency.path)


def agency_ids_in_reach(user: User) -> QuerySet[Agency, int]:
    """Ids of the agencies whose cases `user` works on: their own; for a leader, also every agency below."""
    memberships = list(Agency.objects.filter(memberships__user=user).values_list("id", "path"))
    if not memberships:
        return Agency.objects.none().values_list("id", flat=True)
    if user.role == Role.LEADER:
        condition = Q()
        for _id, path in memberships:
            condition |= Q(path__startswith=path)
        return Agency.objects.filter(condition).values_list("id", flat=True)
    return Agency.objects.filter(id__in=[agency_id for agency_id, _path in memberships]).values_list("id", flat=True)
