"""Accounts found, made and linked by verified identity: the issuer's `sub`, never an e-mail address."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caunoi.core.errors import ApplicationError
from caunoi.core.transactions import service_transaction

from ..models import ExternalIdentity, Role, User
from ..services import split_full_name
from .client import VerifiedIdentity


class SignInRefused(ApplicationError):
    """A verified identity that cannot log in or be linked; the message says what to do instead."""

    status_code = 409
    default_message: Any = ""

    def __init__(self) -> None:
        super().__init__(self.default_message)


class IdentityLinkedElsewhere(SignInRefused):
    default_message = _("This identity is already linked to another account. Log out and log in with it instead.")


class EmailHasAccount(SignInRefused):
    default_message = _(
        "An account with this e-mail address already exists. Log in with its password, then link your "
        "identity from your account page."
    )


class AccountDisabled(SignInRefused):
    status_code = 403
    default_message = _("This account is disabled. Contact the portal's administrators.")


def _full_name(claims: dict[str, object]) -> tuple[str, str]:
    """(given name, family and middle names) from the standard claims, the Vietnamese order kept."""
    given, family = str(claims.get("given_name") or "").strip(), str(claims.get("family_name") or "").strip()
    middle = str(claims.get("middle_name") or "").strip()
    if given or family:
        return given[:150], " ".join(part for part in (family, middle) if part)[:150]
    given, family = split_full_name(str(claims.get("name") or ""))
    return given[:150], family[:150]


def _record_login(link: ExternalIdentity, identity: VerifiedIdentity) -> None:
    link.last_level, link.last_login_at, link.provider_name = identity.level, timezone.now(), identity.provider.name
    link.save(update_fields=["last_level", "last_login_at", "provider_name", "updated_at"])


@service_transaction
def identity_sign_in(*, identity: VerifiedIdentity) -> User:
    """The account linked to the identity's (issuer, sub); if none, a new citizen account linked to it, with
    the name the provider gives and its e-mail address only when the provider verified it and no account
    has it (an account with that address is never taken over: EmailHasAccount says to log in and link).
    Staff accounts are never made here. Raises AccountDisabled for a linked account that is switched off."""
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if link is not None:
        if not link.user.is_active:
            raise AccountDisabled
        _record_login(link, identity)
        return link.user
    email = User.normalize_username(str(identity.claims["email"])) if identity.email_verified else ""
    if email and User.objects.filter(Q(username=email) | Q(email__iexact=email)).exists():
        raise EmailHasAccount
    given, family = _full_name(identity.claims)
    user = User(
        # The login name for a password, should the citizen set one through a reset link: their address, or
        # a name nobody types when there is none.
        username=email or f"sso-{secrets.token_hex(10)}",
        email=email,
        first_name=given,
        last_name=family,
        role=Role.CITIZEN,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():  # the same identity's first login twice at once: one account, one link
            user.save()
            ExternalIdentity.objects.create(
                user=user,
                issuer=identity.issuer,
                subject=identity.subject,
                provider_name=identity.provider.name,
                last_level=identity.level,
                last_login_at=timezone.now(),
            )
    except IntegrityError:
        link = ExternalIdentity.objects.select_related("user").get(issuer=identity.issuer, subject=identity.subject)
        return link.user
    return user


@service_transaction
def identity_link(*, user: User, identity: VerifiedIdentity) -> ExternalIdentity:
    """Links the identity to `user`, who is logged in (and, for staff, passed their second factor) and has
    just proved it at the provider; linking it again only records the login. Raises
    IdentityLinkedElsewhere when another account holds it."""
    link = ExternalIdentity.objects.select_for_update().filter(issuer=identity.issuer, subject=identity.subject).first()
    if link is not None and link.user_id != user.pk:
        raise IdentityLinkedElsewhere
    if link is None:
        try:
            with transaction.atomic():
                link = ExternalIdentity.objects.create(
                    user=user, issuer=identity.issuer, subject=identity.subject, provider_name=identity.provider.name
                )
        except IntegrityError as exc:
            raise IdentityLinkedElsewhere from exc
    _record_login(link, identity)
    return link


class LastWayIn(SignInRefused):
    default_message = _(
        "This is the only way into your account: it has no password. Set a password first "
        "(“Set a password for this account”, on this page), then unlink."
    )


@service_transaction
def identity_unlink(*, user: User, link_id: int) -> bool:
    """Removes one of `user`'s linked identities; False when it is not theirs (or gone already). Raises
    LastWayIn when the account has no password and no other identity: it could never be logged into again."""
    link = ExternalIdentity.objects.select_for_update().filter(pk=link_id, user=user).first()
    if link is None:
        return False
    others = ExternalIdentity.objects.filter(user=user).exclude(pk=link.pk).exists()
    if not others and not user.has_usable_password():
        raise LastWayIn
    link.delete()
    return True
