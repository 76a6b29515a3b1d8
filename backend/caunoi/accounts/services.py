"""Citizens' own accounts: opened by the citizen on the portal, used to follow in one place every request
they send while logged in. Officials' accounts are made by administrators, never here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from caunoi.core.errors import ValidationFailed

from .models import Role, User
from .two_factor import IdentityNotConfirmed, confirm_identity

# Sent after an e-mail address changed, with `user` and `old_email`, in the change's transaction: the
# notifications app (a floor above) warns the old address, in case the change was not the owner's.
email_changed = Signal()

EMAIL_TAKEN = _("An account with this email address already exists. Log in with it instead.")


def split_full_name(full_name: str) -> tuple[str, str]:
    """(given name, family and middle names): Vietnamese names put the given name last, and get_full_name
    puts it back there ("Nguyễn Thị Lan" → ("Lan", "Nguyễn Thị"))."""
    family, _space, given = " ".join(full_name.split()).rpartition(" ")
    return given, family


def citizen_register(*, full_name: str, email: str, password: str) -> User:
    """A new active citizen account, logged in with its email address. The password must already have
    passed the password validators (forms.RegistrationForm). Raises ValidationFailed if the address is taken,
    also when two registrations for it race."""
    username = User.normalize_username(email)
    given, family = split_full_name(full_name)
    try:
        with transaction.atomic():
            return User.objects.create(
                username=username,
                email=username,
                first_name=given,
                last_name=family,
                role=Role.CITIZEN,
                password=make_password(password),
            )
    except IntegrityError as exc:
        raise ValidationFailed({"email": [str(EMAIL_TAKEN)]}) from exc


def email_taken(email: str) -> bool:
    """Whether an account already logs in with `email` or has it as its address (an official's, say)."""
    address = User.normalize_username(email)
    return User.objects.filter(Q(username=address) | Q(email__iexact=address)).exists()


def user_change_email(*, user: User, email: str, proof: str, request: Any) -> User:
    """Sets the user's e-mail address after a fresh `proof` (password or two-factor code: a password reset
    link goes to this address, so whoever changes it could take the account). A citizen whose login name is
    their address logs in with the new one. Raises IdentityNotConfirmed, or ValidationFailed when another
    account has the address. Sets off `email_changed` (a warning to the old address)."""
    if not confirm_identity(user=user, proof=proof, request=request):
        raise IdentityNotConfirmed
    address = User.normalize_username(email)
    others = User.objects.exclude(pk=user.pk).filter(Q(username=address) | Q(email__iexact=address))
    if others.exists():
        raise ValidationFailed({"email": [str(EMAIL_TAKEN)]})
    fields = ["email"]
    if user.email and user.username == User.normalize_username(user.email):
        user.username = address
        fields.append("username")
    old_email = user.email
    user.email = address
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
            if old_email and old_email.casefold() != address.casefold():
                email_changed.send(sender=User, user=user, old_email=old_email)
    except IntegrityError as exc:  # the same address taken a moment ago
        raise ValidationFailed({"email": [str(EMAIL_TAKEN)]}) from exc
    return user
