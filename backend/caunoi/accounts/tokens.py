"""API tokens per device (django-rest-knox on accounts.ApiToken): issued by the token login, listed and
revoked by their owner (page and API) and by administrators (admin).

A token is shown once, when issued; the database holds its SHA-512 digest, never the token. Each token
expires API_TOKEN_DAYS after it was issued. Lock order: the user's row, then their tokens.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, User

DEVICE_NAME_MAX = 100
DEFAULT_DEVICE = "API"


def device_name(raw: object) -> str:
    """The device name a client sent, spaces collapsed and cut to fit; DEFAULT_DEVICE when none."""
    name = " ".join(str(raw or "").split())[:DEVICE_NAME_MAX]
    return name or DEFAULT_DEVICE


@transaction.atomic
def api_token_issue(*, user: User, device: str) -> tuple[ApiToken, str]:
    """A new token for `device`, replacing the one that device had; returns the row and the token itself
    (the only time it exists in clear). Expired tokens of the user are removed, and past
    API_TOKEN_MAX_DEVICES the least recently issued devices lose theirs."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialises two logins of one user
    tokens = ApiToken.objects.filter(user=user)
    tokens.filter(name=device).delete()
    tokens.filter(expiry__lt=timezone.now()).delete()
    keep = settings.API_TOKEN_MAX_DEVICES - 1
    stale = list(tokens.order_by("-created").values_list("digest", flat=True)[keep:])
    if stale:
        ApiToken.objects.filter(digest__in=stale).delete()
    lifetime = dt.timedelta(days=settings.API_TOKEN_DAYS)
    return ApiToken.objects.create(user=user, expiry=lifetime, name=device)  # type: ignore[no-any-return]


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's devices whose token is still valid, the newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def api_token_revoke(*, user: User, public_id: uuid.UUID | str) -> bool:
    """Revokes the user's token named by `public_id`; False when the user has no such token (someone
    else's looks the same as none)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return False
    deleted, _rows = ApiToken.objects.filter(user=user, public_id=key).delete()
    return deleted > 0


def api_tokens_revoke_all(*, user: User) -> int:
    """Revokes every token of the user (after their password or two-factor device changes); returns how many."""
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted


class RevokeTokensOnPasswordChange:
    """In AUTH_PASSWORD_VALIDATORS for its hook, not as a rule: Django calls `password_changed` whenever a
    user's new password is saved (change page, reset link, admin, set_password), and a new password must
    end every API login made with the old one, as it ends the other sessions."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user)

    def get_help_text(self) -> str:
        return ""


def api_tokens_delete_expired() -> int:
    """Deletes every expired token (their devices can no longer use them); returns how many. Idempotent."""
    deleted, _rows = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
