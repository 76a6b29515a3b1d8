"""Login lockout: after LOGIN_MAX_FAILURES failed logins for one username within LOGIN_LOCKOUT_MINUTES, that
username cannot log in until the window has passed, from any address and through any login (web form, API
token, admin): the check sits in the authentication backend (backends.py), the one place all of them pass.

Counted in Redis (shared by every process). Without Redis nothing is counted and nobody is locked out: a
Redis outage must not lock every official out; the per-address rate limit on logins still applies.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from caunoi.core.ratelimit import count_in_window
from caunoi.core.redis_client import redis_client

logger = logging.getLogger(__name__)


def _key(username: str) -> str:
    return f"caunoi:login-failures:{username.strip().casefold()}"


def is_locked(username: str) -> bool:
    try:
        failures = redis_client().get(_key(username))
    except Exception:
        logger.warning("login lockout not checked: Redis unavailable", exc_info=True)
        return False
    return failures is not None and int(failures) >= settings.LOGIN_MAX_FAILURES


def record_failure(username: str) -> None:
    try:
        count_in_window(_key(username), settings.LOGIN_LOCKOUT_MINUTES * 60)
    except Exception:
        logger.warning("failed login not counted: Redis unavailable", exc_info=True)


def clear(username: str) -> None:
    try:
        redis_client().delete(_key(username))
    except Exception:
        logger.warning("login failures not cleared: Redis unavailable", exc_info=True)


@receiver(user_login_failed)
def _count_failure(sender: object, credentials: dict[str, str], **kwargs: object) -> None:
    username = credentials.get("username")
    if username:
        record_failure(username)


@receiver(user_logged_in)
def _forget_failures(sender: object, user: object, **kwargs: object) -> None:
    clear(user.get_username())  # type: ignore[attr-defined]
