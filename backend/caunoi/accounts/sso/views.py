"""The single sign-on pages: the start (a plain link from the login page: a form could not leave for the
provider under our `form-action 'self'`), the provider's callback, and the account's linked identities."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import two_factor
from ..models import ExternalIdentity, Role
from ..views import PENDING  # the password login's second step reads it: SSO stands in for the password only
from .client import (
    Flow,
    SsoFailure,
    VerifiedIdentity,
    authorization_redirect,
    pending_flow,
    verified_identity,
)
from .config import ProviderConfig, provider_by_key, provider_for_request
from .services import SignInRefused, identity_link, identity_sign_in, identity_unlink
from .session import remember_identity

logger = logging.getLogger(__name__)

BACKEND = "caunoi.accounts.backends.LockoutModelBackend"


def _safe_next(request: HttpRequest, target: str) -> str:
    """`target` when it is an address on this site (never another: an open redirect), else ""."""
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else ""


def _landing(flow_next: str, user: Any) -> str:
    """Where to go once logged in or linked: the page asked for, else the account's own start page."""
    return flow_next or reverse("cases:my-cases" if user.role == Role.CITIZEN else "publication:home")


@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    """Sends the person to the site's provider: to log in, or, already logged in, to link it to the account."""
    config = provider_for_request(request)
    if config is None:
        raise Http404
    user = request.user
    flow = Flow(
        intent="link" if user.is_authenticated else "login",
        next=_safe_next(request, request.GET.get("next", "")),
        user_id=user.pk if user.is_authenticated else None,
    )
    redirect_uri = request.build_absolute_uri(reverse("accounts:sso-callback", args=[config.key]))
    try:
        return authorization_redirect(request, config, redirect_uri=redirect_uri, flow=flow)
    except SsoFailure as failure:
        return _failure_page(request, config, failure)


@require_GET
def sso_callback(request: HttpRequest, key: str) -> HttpResponse:
    """Where the provider sends the person back: the identity verified, then logged in or linked."""
    config = provider_by_key(key)
    if config is None:
        raise Http404
    flow = pending_flow(request, config)
    try:
        identity = verified_identity(request, config)
    except SsoFailure as failure:
        return _failure_page(request, config, failure)
    if flow is None:  # not reached: verified_identity refuses a callback without a pending flow
        return _failure_page(request, config, SsoFailure("expired", "no pending flow"))
    user = request.user
    try:
        if flow.intent == "link":
            if not user.is_authenticated or user.pk != flow.user_id:  # logged out or in as someone else since
                return _failure_page(request, config, SsoFailure("expired", "the account changed during linking"))
            identity_link(user=user, identity=identity)  # type: ignore[arg-type]
            remember_identity(request, user_id=user.pk, **_proof(config, identity))
            messages.success(request, _("Your account is linked to %(provider)s.") % {"provider": config.name})
            return redirect(_landing(flow.next, user))
        account = identity_sign_in(identity=identity)
    except SignInRefused as refused:
        return render(
            request,
            "accounts/sso_error.html",
            {"provider": config.name, "message": refused.message, "reason": "refused"},
            status=refused.status_code,
        )
    if two_factor.has_two_factor(account):
        # The provider vouches for who the person is, as a password would; the agency's second factor is still
        # asked of staff (and of anyone who turned it on), whatever level the provider asserts.
        request.session[PENDING] = {
            "user": account.pk,
            "backend": BACKEND,
            "next": _landing(flow.next, account),
            "identity": _proof(config, identity),
        }
        return redirect("accounts:login-code")
    auth_login(request, account, backend=BACKEND)
    remember_identity(request, user_id=account.pk, **_proof(config, identity))
    return redirect(_landing(flow.next, account))


def _proof(config: ProviderConfig, identity: VerifiedIdentity) -> dict[str, Any]:
    """What the session keeps of the sign-on (session.remember_identity's arguments)."""
    return {"provider": config.name, "level": identity.level, "key": config.key, "id_token": identity.id_token}


# What each failure means for the person, and what to do; the technical detail goes to the log only.
def _explanation(reason: str, provider: str) -> tuple[str, str]:
    names = {"provider": provider}
    if reason == "denied":
        return (
            _("Login with %(provider)s was cancelled") % names,
            _("You did not allow %(provider)s to share your identity with this portal. Nothing was changed.") % names,
        )
    if reason == "expired":
        return (
            _("This login attempt has expired") % names,
            _(
                "The login took too long, was already used, or was started in another browser window. "
                "Start again from the login page."
            ),
        )
    if reason in {"unavailable", "misconfigured"}:
        return (
            _("%(provider)s cannot be reached right now") % names,
            _("Try again in a few minutes, or log in with your e-mail address and password.") % names,
        )
    return (
        _("Your identity could not be confirmed") % names,
        _(
            "The answer from %(provider)s did not pass our security checks, so you were not logged in. "
            "Start again from the login page; if it happens again, log in with your e-mail address and password."
        )
        % names,
    )


def _failure_page(request: HttpRequest, config: ProviderConfig, failure: SsoFailure) -> HttpResponse:
    logger.warning("single sign-on with %s failed: %s (%s)", config.issuer, failure.reason, failure.detail)
    title, message = _explanation(failure.reason, config.name)
    status = 502 if failure.reason in {"unavailable", "misconfigured"} else 400
    context = {"provider": config.name, "title": title, "message": message, "reason": failure.reason}
    if status >= 500 and request.session.modified:
        # Django keeps no session change made by a 5xx answer: the used-up state must stay used up.
        request.session.save()
    return render(request, "accounts/sso_error.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sso_identities(request: HttpRequest) -> HttpResponse:
    """The identities linked to the account, a button to unlink each, and the link to add the site's provider."""
    user = request.user
    if request.method == "POST":
        try:
            link_id = int(request.POST.get("unlink", ""))
        except ValueError:
            link_id = 0
        try:
            if identity_unlink(user=user, link_id=link_id):  # type: ignore[arg-type]
                messages.success(request, _("The identity is unlinked from your account."))
        except SignInRefused as refused:
            messages.error(request, str(refused.message))
        return redirect("accounts:sso-identities")
    linked = ExternalIdentity.objects.filter(user=user).order_by("created_at")  # type: ignore[misc]
    return render(
        request, "accounts/sso_identities.html", {"linked": linked, "provider": provider_for_request(request)}
    )
