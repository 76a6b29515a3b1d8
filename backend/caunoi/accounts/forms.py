"""The login form (says plainly when an account must wait or an address has tried too often), the form a
citizen opens an account with, and the two-factor and e-mail forms (the fresh proof: ProofForm)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caunoi.core.ratelimit import TOO_MANY_REQUESTS, request_allowed

from . import lockout
from .models import User
from .services import EMAIL_TAKEN, email_taken, split_full_name

RATE_LIMITED = "rate_limited"  # the code of the form error a refused address gets (views answer 429)


def refuse_if_too_many(request: Any, scope: str) -> None:
    """Counts one attempt of `request`'s address against RATE_LIMITS[scope]; raises the form-wide error past it."""
    if request is not None and not request_allowed(request, scope):
        raise ValidationError(str(TOO_MANY_REQUESTS), code=RATE_LIMITED)


def lockout_message(seconds: int) -> str:
    """What someone told to wait (lockout.retry_after) reads: the wait in whole minutes, at least one."""
    minutes = lockout.minutes(seconds)
    return ngettext(
        "Too many failed attempts for this account from your network. Try again in %(minutes)d minute.",
        "Too many failed attempts for this account from your network. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email")

    def clean(self) -> dict[str, Any]:
        refuse_if_too_many(self.request, "login")
        username = self.cleaned_data.get("username")
        wait = lockout.retry_after(username, self.request) if username else 0
        if wait:
            raise ValidationError(lockout_message(wait), code="locked")
        return super().clean()


class RegistrationForm(SetPasswordMixin, forms.Form):
    """A citizen's new account: full name, email address (the login name) and a password checked by the
    project's password validators, also against the name and address given."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=120, error_messages={"required": _("Enter your full name.")}
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=150,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["password1"].error_messages["required"] = _("Choose a password.")
        self.fields["password2"].error_messages["required"] = _("Enter the same password again.")

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"])
        if email_taken(email):
            raise ValidationError(EMAIL_TAKEN, code="taken")
        return email

    def clean(self) -> dict[str, Any]:
        refuse_if_too_many(self.request, "register")
        cleaned = self.cleaned_data
        self.validate_passwords()
        given, family = split_full_name(cleaned.get("full_name", ""))
        email = cleaned.get("email", "")
        # The validators compare the password with these attributes (UserAttributeSimilarityValidator).
        applicant = User(username=email, email=email, first_name=given, last_name=family)
        self.validate_password_for_user(applicant, password_field_name="password1")  # noqa: S106  (a field name)
        return cleaned


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset by email (the same answer whether or not the address has an account), counted against
    the per-address login limit so that nobody floods an inbox with reset links."""

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages.update(
            required=_("Enter your email address."), invalid=_("Enter an email address like name@example.com.")
        )

    def clean(self) -> dict[str, Any]:
        refuse_if_too_many(self.request, "login")
        return self.cleaned_data


class CodeForm(forms.Form):
    otp_code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Or one of your recovery codes, if you do not have your phone."),
        max_length=24,
        error_messages={"required": _("Enter the code.")},
    )


class ProofForm(forms.Form):
    """A fresh proof that the person at the keyboard owns the account (two_factor.confirm_identity)."""

    confirm = forms.CharField(
        label=_("Your password, or a code from your authenticator app"),
        max_length=128,
        strip=False,
        error_messages={"required": _("Enter your password or a code to confirm it is you.")},
    )


class SetupForm(CodeForm, ProofForm):
    """Confirms a new authenticator app; when it replaces one, with a fresh proof too."""

    def __init__(self, *args: Any, replacing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["confirm"]


class EmailChangeForm(ProofForm):
    email = forms.EmailField(
        label=_("New e-mail address"),
        max_length=150,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    field_order = ["email", "confirm"]
