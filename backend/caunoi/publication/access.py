"""The only ways an interface obtains a published item. Not allowed and not found look the same."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.selectors import agency_ids_in_reach
from caunoi.core.errors import NotFound

from .models import PublishedItem, Status

ITEM_NOT_FOUND = _("No published item matches this address.")


def may_review(user: User) -> bool:
    """Moderators and admins review every item; leaders those of their agencies and the agencies below."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role in {Role.MODERATOR, Role.ADMIN, Role.LEADER}


def items_for_reviewer(user: User) -> QuerySet[PublishedItem]:
    """Items `user` may review, publish, unpublish and correct (none for anyone else)."""
    items = PublishedItem.objects.select_related("agency", "category", "case")
    if not may_review(user):
        return items.none()
    if user.role in {Role.MODERATOR, Role.ADMIN}:
        return items
    return items.filter(Q(agency_id__in=agency_ids_in_reach(user)))


def access_item_for_review(user: User, item_id: int) -> PublishedItem:
    """The item if `user` may review it. Raises NotFound otherwise (also for anonymous users)."""
    item = items_for_reviewer(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Item not found."))
    return item


def access_published_item(slug: str) -> PublishedItem:
    """A published item, for anyone. Raises NotFound for unknown, pending and unpublished items."""
    item = PublishedItem.objects.select_related("agency", "category").filter(slug=slug, status=Status.PUBLISHED).first()
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    return item
