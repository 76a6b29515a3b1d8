"""The roles in TWO_FACTOR_REQUIRED_ROLES (every staff role by default) must use two-factor login: until
their session is verified by a code, every page but the two-factor settings (where they set it up at first
login), logging out and static files sends them there."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor


class TwoFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if two_factor.required_for(user) and not user.is_verified():  # type: ignore[arg-type, union-attr]
            allowed = (reverse("accounts:two-factor"), reverse("accounts:logout"), "/static/", "/i18n/")
            if not request.path.startswith(allowed):
                return redirect("accounts:two-factor")
        return self.get_response(request)
