"""Login in one or two steps, a citizen's new account, and the page where staff turn two-factor login on or
off."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from caunoi.core.errors import ApplicationError, ValidationFailed

from . import tokens, two_factor
from .forms import (
    RATE_LIMITED,
    CodeForm,
    EmailChangeForm,
    LimitedPasswordResetForm,
    LoginForm,
    ProofForm,
    RegistrationForm,
    SetupForm,
)
from .models import Role, User
from .services import citizen_register, user_change_email
from .sso.config import provider_for_request
from .sso.logout import provider_logout
from .sso.session import remember_identity, session_identity

# Between the password and the code: who passed the first step, with which backend, and where to go next.
PENDING = "two_factor_pending"


def form_status(form: forms.Form) -> int:
    """The status of a page showing `form`: 429 when its address was refused for asking too often, 400 for
    any other error, else 200."""
    if form.has_error(NON_FIELD_ERRORS, RATE_LIMITED):
        return 429
    return 400 if form.errors else 200


class FormStatus:
    """For Django's form views: a page showing errors answers form_status(form), not 200."""

    def form_invalid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = form_status(form)
        return response


class LoginView(FormStatus, auth_views.LoginView):
    """The password step; with two-factor login on, the session holds the user as pending, not logged in."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The site's single sign-on, if it offers one: "Log in with VNeID" above the password form.
        return {**super().get_context_data(**kwargs), "sso_provider": provider_for_request(self.request)}

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        self.landing_for = user
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            # authenticate() sets the backend that accepted the password; login() needs it again.
            "backend": user.backend,  # type: ignore[attr-defined]
            "next": self.get_success_url(),
        }
        return redirect("accounts:login-code")

    landing_for: Any = None  # the user logging in, before the session holds them (two-factor login)

    def get_default_redirect_url(self) -> str:
        """Where a login without `next` lands: officials and leaders on their work queue, others as before."""
        return landing_page(self.landing_for or self.request.user)


def landing_page(user: Any) -> str:
    """The page a user lands on after logging in when nothing else was asked for."""
    if getattr(user, "works_cases", False):
        return reverse("cases:staff-queue")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _safe_target(request: HttpRequest, target: str, default: str) -> str:
    """`target` when it is an address on this site (never another one: an open redirect), else `default`."""
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else default


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app. Wrong codes are throttled by django-otp."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        device = two_factor.verify(user, form.cleaned_data["otp_code"]) if user else None
        if user is not None and device is not None:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            if pending.get("identity"):  # the first step was single sign-on (sso/views.py)
                remember_identity(request, user_id=user.pk, **pending["identity"])
            return redirect(_safe_target(request, pending["next"], reverse("publication:home")))
        form.add_error("otp_code", _("This code is not right, or was used already. Enter the code the app shows now."))
    return render(request, "accounts/login_code.html", {"form": form}, status=form_status(form))


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A citizen opens an account and is logged in with it; then on to `next` (e.g. the submission form)."""
    after = _safe_target(request, request.POST.get("next") or request.GET.get("next") or "", reverse("cases:my-cases"))
    if request.user.is_authenticated:
        return redirect(after)
    form = RegistrationForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = citizen_register(full_name=data["full_name"], email=data["email"], password=data["password1"])
        except ValidationFailed as taken:  # the same address registered a moment ago
            for field, field_messages in taken.errors.items():
                for message in field_messages:
                    form.add_error(field, message)
        else:
            auth_login(request, user, backend="caunoi.accounts.backends.LockoutModelBackend")
            messages.success(request, _("Your account is ready. Requests you send while logged in are listed here."))
            return redirect(after)
    return render(request, "accounts/register.html", {"form": form, "next": after}, status=form_status(form))


def _add_errors(form: forms.Form, refused: ValidationFailed) -> None:
    for field, field_messages in refused.errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Set up (and replace) the authenticator app, make new recovery codes, turn two-factor login off. All
    but the first set-up need a fresh password or code (two_factor.confirm_identity)."""
    user = request.user
    if not two_factor.may_use(user):  # type: ignore[arg-type]
        raise Http404
    enabled = two_factor.has_two_factor(user)  # type: ignore[arg-type]
    action = request.POST.get("action", "set-up") if request.method == "POST" else ""
    proof_form = ProofForm(request.POST if action in {"turn-off", "new-codes"} else None)
    form = SetupForm(request.POST if action == "set-up" else None, replacing=enabled)
    codes: list[str] = []
    if action in {"turn-off", "new-codes"} and proof_form.is_valid():
        proof = proof_form.cleaned_data["confirm"]
        try:
            if action == "turn-off":
                two_factor.two_factor_turn_off(user=user, proof=proof, request=request)  # type: ignore[arg-type]
            else:
                codes = two_factor.recovery_codes_replace(user=user, proof=proof, request=request)  # type: ignore[arg-type]
        except ValidationFailed as refused:
            _add_errors(proof_form, refused)
        except ApplicationError as refused:
            messages.error(request, str(refused.message))
            return redirect("accounts:two-factor")
        else:
            if action == "turn-off":
                messages.success(request, _("Two-factor login is off."))
                return redirect("accounts:two-factor")
    if action == "set-up" and form.is_valid():
        try:
            device = two_factor.two_factor_confirm(
                user=user,  # type: ignore[arg-type]
                code=form.cleaned_data["otp_code"],
                proof=form.cleaned_data.get("confirm", ""),
                request=request,
            )
        except ValidationFailed as refused:
            _add_errors(form, refused)
        else:
            if device is not None:
                otp_login(request, device)
                messages.success(request, _("Two-factor login is on. From now on you will be asked for a code."))
                codes = two_factor.recovery_codes_first(user=user)  # type: ignore[arg-type]
                if not codes:  # a new phone: the recovery codes stay as they were
                    return redirect("accounts:two-factor")
            else:
                form.add_error(
                    "otp_code", _("This code is not right. Check the time on your phone and enter the code shown now.")
                )
    if codes:  # shown this once, never again: the page is not cached and the codes are stored as digests
        response = render(request, "accounts/recovery_codes.html", {"codes": codes})
        response["Cache-Control"] = "no-store"
        return response
    enabled = two_factor.has_two_factor(user)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "form": form,
        "proof_form": proof_form,
        "errors": form.errors or proof_form.errors,
        "enabled": enabled,
        "required": two_factor.required_for(user),  # type: ignore[arg-type]
        "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,  # type: ignore[arg-type]
    }
    if not enabled or request.GET.get("replace") or (action == "set-up" and form.errors):
        device = two_factor.pending_device(user)  # type: ignore[arg-type]
        context.update(qr=two_factor.qr_data_uri(device), key=two_factor.readable_key(device), setting_up=True)
    status = 400 if (form.errors or proof_form.errors) else 200
    return render(request, "accounts/two_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    """A logged-in person changes their e-mail address (for citizens, also the login name) with a fresh
    password or code."""
    form = EmailChangeForm(request.POST or None, initial={"email": request.user.email})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        try:
            user_change_email(
                user=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                proof=form.cleaned_data["confirm"],
                request=request,
            )
        except ValidationFailed as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("Your e-mail address is changed."))
            return redirect("accounts:email-change")
    return render(request, "accounts/email_change.html", {"form": form}, status=form_status(form))


class PasswordResetView(FormStatus, auth_views.PasswordResetView):
    """Asks for the address and sends a one-time link (Django's tokens) to the account that has it, if any."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = LimitedPasswordResetForm
    success_url = reverse_lazy("accounts:password-reset-sent")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: LimitedPasswordResetForm) -> HttpResponse:  # type: ignore[override]
        # The message names the site the person is on (request.portal, set by the portals middleware, a floor
        # above this app), not the bare host name Django would use.
        portal = getattr(self.request, "portal", None)
        if portal is not None:
            self.extra_email_context = {"site_name": portal.display_name}
        return super().form_valid(form)


class PasswordResetConfirmView(FormStatus, auth_views.PasswordResetConfirmView):
    """The link's page: a new password, checked by the validators; a used or old link says so."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class LogoutView(auth_views.LogoutView):
    """Logs out here at once; after a sign-on through a provider, the page then offers to end the provider's
    session too. A link, not a redirect: the logout is a form, and the pages' `form-action 'self'` would stop a
    form's redirect to another site (the person would be stuck on a blank page)."""

    template_name = "accounts/logged_out.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider, end_session = provider_logout(request)
        response: HttpResponse = super().post(request, *args, **kwargs)
        if not end_session:
            return response
        return render(request, self.template_name, {"provider": provider, "end_session_url": end_session})


def _first_password(request: HttpRequest) -> bool:
    """Whether the logged-in account has no password yet (made by single sign-on)."""
    user = request.user
    return isinstance(user, User) and not user.has_usable_password()


class PasswordChangeView(FormStatus, auth_views.PasswordChangeView):
    """A logged-in person changes their password (the current one first); the session stays logged in.

    An account made by single sign-on has no password to give first: it sets its first one, but only from a
    session that signed in through the provider, which is its proof of who is there (a session from anywhere
    else could otherwise give itself a lasting way in)."""

    template_name = "accounts/password_change.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if _first_password(request) and session_identity(request) is None:
            return render(request, self.template_name, {"needs_sign_on": True}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return SetPasswordForm if _first_password(self.request) else super().get_form_class()

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response

    def get_success_url(self) -> str:
        return reverse("cases:my-cases" if self.request.user.role == Role.CITIZEN else "publication:home")  # type: ignore[union-attr]


@login_required
@require_http_methods(["GET", "POST"])
def devices(request: HttpRequest) -> HttpResponse:
    """The devices holding an API token of the logged-in person, each with a button that revokes it."""
    user = request.user
    if request.method == "POST":
        chosen = tokens.api_tokens_of(user).filter(public_id__in=_uuids(request.POST.getlist("revoke"))).first()  # type: ignore[arg-type]
        if chosen is not None and tokens.api_token_revoke(user=user, public_id=chosen.public_id):  # type: ignore[arg-type]
            messages.success(request, _("Access for “%(device)s” is revoked.") % {"device": chosen.name})
        return redirect("accounts:devices")
    return render(request, "accounts/devices.html", {"devices": tokens.api_tokens_of(user)})  # type: ignore[arg-type]


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found
