"""The login form: says plainly when an account is locked or an address has tried too often."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from caunoi.core.ratelimit import TOO_MANY_REQUESTS, request_allowed

from . import lockout


def lockout_message() -> str:
    return str(
        _("Too many failed attempts for this account. Try again in %(minutes)d minutes.")
        % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
    )


class LoginForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        if self.request is not None and not request_allowed(self.request, "login"):
            raise ValidationError(str(TOO_MANY_REQUESTS), code="rate_limited")
        username = self.cleaned_data.get("username")
        if username and lockout.is_locked(username):
            raise ValidationError(lockout_message(), code="locked")
        return super().clean()
