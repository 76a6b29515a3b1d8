"""Who may see what in following and support: the one place each is checked."""

from __future__ import annotations

from caunoi.accounts.models import Role, User

# Leaders decide what to take up; moderators and administrators watch the portal as a whole.
MOST_SUPPORTED_ROLES = frozenset({Role.LEADER, Role.MODERATOR, Role.ADMIN})


def may_see_most_supported(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return user.role in MOST_SUPPORTED_ROLES
