"""Reads over the agency tree."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from caunoi.accounts.models import Role, User
from caunoi.core.db import VnUnaccent
from caunoi.core.text import vn_fold

from .models import Agency, Area, Category, Membership


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


def area_list(*, parent: Area | None = None, top: bool = False, query: str = "") -> QuerySet[Area]:
    """Areas in tree order (the country, each province followed by its communes). `parent`: only its
    direct children; `top`: only the roots; `query`: words found in the name or the code, diacritics and
    case ignored ("ba dinh" finds "Phường Ba Đình"). Each row carries `children_count`."""
    areas = Area.objects.select_related("parent").annotate(
        children_count=Count("children"), folded_name=VnUnaccent("name")
    )
    if parent is not None:
        areas = areas.filter(parent=parent)
    elif top:
        areas = areas.filter(parent__isnull=True)
    for word in vn_fold(query).split():
        areas = areas.filter(Q(code__icontains=word) | Q(folded_name__contains=word))
    return areas.order_by("path")


def category_list(*, query: str = "") -> QuerySet[Category]:
    """Active categories by name; `query` as in `area_list`."""
    categories = Category.objects.filter(is_active=True).annotate(folded_name=VnUnaccent("name"))
    for word in vn_fold(query).split():
        categories = categories.filter(Q(slug__icontains=word) | Q(folded_name__contains=word))
    return categories.order_by("name")
