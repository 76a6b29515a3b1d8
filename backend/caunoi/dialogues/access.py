"""Who may do what in a dialogue: the only place roles are checked, for pages, the API and the live room.
Not found and not allowed look the same from outside where the object is not public."""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency
from caunoi.agencies.selectors import agency_ids_in_reach
from caunoi.core.errors import ApplicationError, NotFound

from .models import Dialogue

# Roles inside one dialogue's room. Everyone (signed in or not) views and asks; moderators and hosts are the
# people named on the dialogue, and administrators act as both.
VIEWER, MODERATOR, HOST = "viewer", "moderator", "host"
VIEWER_ONLY = frozenset({VIEWER})  # shared by every anonymous connection

# Each room action and the room role it needs.
ACTION_ROLES = {
    "ask": VIEWER,
    "vote": VIEWER,
    "approve": MODERATOR,
    "reject": MODERATOR,
    "merge": MODERATOR,
    "reorder": MODERATOR,
    "pick": HOST,
    "answer": HOST,
    "mark_answered": HOST,
}


class UnknownAction(ApplicationError):
    status_code = 400


class ActionNotAllowed(ApplicationError):
    status_code = 403


def _active(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_active


def room_roles(user: User | AnonymousUser | None, dialogue: Dialogue) -> frozenset[str]:
    """The roles `user` holds in the dialogue's room."""
    if not _active(user):
        return VIEWER_ONLY
    roles = {VIEWER}
    if user.role == Role.ADMIN:
        roles |= {MODERATOR, HOST}
    if dialogue.moderators.filter(pk=user.pk).exists():
        roles.add(MODERATOR)
    if dialogue.hosts.filter(pk=user.pk).exists():
        roles.add(HOST)
    return VIEWER_ONLY if roles == VIEWER_ONLY else frozenset(roles)


def is_staff_of(roles: frozenset[str]) -> bool:
    """Moderators and hosts see pending and rejected questions."""
    return bool(roles & {MODERATOR, HOST})


def access_room_action(roles: frozenset[str], action: str) -> None:
    """Raises UnknownAction for an action the room does not have, ActionNotAllowed when `roles` lack it."""
    needed = ACTION_ROLES.get(action)
    if needed is None:
        raise UnknownAction(_("Unknown action."))
    if needed not in roles:
        raise ActionNotAllowed(_("Your role may not do this."))


def access_dialogue(dialogue_id: int) -> Dialogue:
    """A dialogue as the public sees it (every scheduled dialogue is announced). Raises NotFound."""
    dialogue = Dialogue.objects.select_related("agency").filter(pk=dialogue_id).first()
    if dialogue is None:
        raise NotFound(_("Dialogue not found."))
    return dialogue


def access_dialogue_for_role(user: User | AnonymousUser, dialogue_id: int, role: str) -> Dialogue:
    """The dialogue if `user` is its moderator or host (`role`). Raises NotFound otherwise: staff pages of
    dialogues someone does not work on do not exist for them."""
    dialogue = access_dialogue(dialogue_id)
    if role not in room_roles(user, dialogue):
        raise NotFound(_("Dialogue not found."))
    return dialogue


def may_schedule(user: User | AnonymousUser | None) -> bool:
    """Leaders and administrators schedule dialogues."""
    return _active(user) and user.role in {Role.LEADER, Role.ADMIN}


def agencies_for_scheduling(user: User) -> list[Agency]:
    """The agencies `user` may schedule a dialogue for: an admin any; a leader theirs and those below."""
    agencies = Agency.objects.filter(is_active=True).order_by("path")
    if not may_schedule(user):
        return []
    if user.role == Role.ADMIN:
        return list(agencies)
    return list(agencies.filter(id__in=agency_ids_in_reach(user)))
