"""Authentication: Django's model backend behind the login throttling (lockout.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import lockout
from .models import User


class LockoutModelBackend(ModelBackend):
    """Refuses a username that must wait at this address (lockout.py) before its password is even checked
    (PermissionDenied stops Django trying other backends), so guesses made during the wait teach nothing."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username:
            username = User.normalize_username(username)
        if username and lockout.is_locked(username, request):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
