"""Two-factor login (TOTP, RFC 6238) for staff, on django-otp's TOTP devices, with one-time recovery codes
(django-otp's static device).

Any staff member may turn it on; the roles in TWO_FACTOR_REQUIRED_ROLES (by default every staff role) must
(middleware.TwoFactorRequired). A user with a confirmed device logs in with their password and then a
six-digit code from an authenticator app, or one of their recovery codes; the API's token login asks for
the code in the same request (`otp_token`).

Recovery codes are made when the app is first confirmed (and again on request), shown once, and stored as
truncated SHA-256 digests (96 bits, in django-otp's 16-character token column): each code carries 80 random
bits, so the digest is as hard to reverse as the code is to guess. Using one deletes it.

Turning two-factor login off, moving it to a new phone and making new recovery codes need a fresh proof
(`confirm_identity`): a current code or the password, so that an unattended session cannot do them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from caunoi.core.errors import ApplicationError, ValidationFailed

from .models import STAFF_ROLES, User

DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"^[0-9]{6,8}$")
_RECOVERY_CODE = re.compile(r"^[a-z2-7]{16}$")

WRONG_PROOF = gettext_lazy(
    "Enter your password, or a code from your authenticator app, to confirm it is you. This one is not right."
)


class CannotTurnOff(ApplicationError):
    status_code = 403


class IdentityNotConfirmed(ValidationFailed):
    """The fresh proof (field `confirm`) was missing or wrong."""

    def __init__(self) -> None:
        super().__init__({"confirm": [str(WRONG_PROOF)]})


def may_use(user: User) -> bool:
    return bool(user.is_authenticated and user.role in STAFF_ROLES)


def required_for(user: User) -> bool:
    return bool(user.is_authenticated and user.role in settings.TWO_FACTOR_REQUIRED_ROLES)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (one per user; made on first call)."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": DEVICE_NAME})
    return device


def _normal(code: str) -> str:
    """A typed code without spaces and dashes, in lower case (recovery codes are shown grouped)."""
    return re.sub(r"[\s-]", "", code).lower()


def confirm_identity(*, user: User, proof: str, request: Any) -> bool:
    """Whether `proof` is, now, a code of the user's (authenticator or recovery code; a recovery code is used
    up) or their password. Wrong codes count against django-otp's throttle; wrong passwords against the
    login throttling (lockout.py), since they pass the authentication backend."""
    proof = (proof or "").strip()
    if not proof:
        return False
    normal = _normal(proof)
    if has_two_factor(user) and (_TOTP_CODE.match(normal) or _RECOVERY_CODE.match(normal)):
        if verify(user, proof) is not None:
            return True
        if _TOTP_CODE.match(normal):  # never a password: the validators refuse passwords of digits only
            return False
    return authenticate(request, username=user.get_username(), password=proof) == user


def _require_identity(*, user: User, proof: str, request: Any) -> None:
    if not confirm_identity(user=user, proof=proof, request=request):
        raise IdentityNotConfirmed


def two_factor_confirm(*, user: User, code: str, proof: str = "", request: Any = None) -> TOTPDevice | None:
    """Confirms the pending device if `code` is right (it proves the app was set up); any earlier confirmed
    device is replaced, which needs a fresh `proof` (confirm_identity). Returns the device, or None for a
    wrong code. Raises IdentityNotConfirmed when replacing without a right proof."""
    if has_two_factor(user):
        _require_identity(user=user, proof=proof, request=request)
    with transaction.atomic():
        device = pending_device(user)
        if not device.verify_token(code.strip().replace(" ", "")):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device


def two_factor_turn_off(*, user: User, proof: str, request: Any) -> None:
    """Removes the user's devices and recovery codes. Raises CannotTurnOff for the roles that must keep it,
    IdentityNotConfirmed without a right fresh `proof`."""
    if required_for(user):
        raise CannotTurnOff(_("Your role must keep two-factor login on."))
    _require_identity(user=user, proof=proof, request=request)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_reset(*, user: User) -> None:
    """An administrator's reset for someone who lost both phone and recovery codes: removes their devices,
    codes and API tokens; a role that must use two-factor login sets it up again at the next login."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.auth_token_set.all().delete()


def recovery_digest(code: str) -> str:
    """What is stored for a recovery code: 96 bits of its SHA-256, in base64 (16 characters)."""
    digest = hashlib.sha256(b"caunoi-recovery-code:" + _normal(code).encode()).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()  # 80 bits, 16 characters
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def _recovery_codes_create(user: User) -> list[str]:
    # The device is kept, only its codes replaced: a session verified with a recovery code names the device.
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticToken.objects.filter(device=device).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_digest(code)) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def recovery_codes_first(*, user: User) -> list[str]:
    """New recovery codes for a user who has two-factor login on and no codes yet (just after turning it
    on); [] otherwise. The codes are returned once, to be shown once."""
    if not has_two_factor(user) or StaticToken.objects.filter(device__user=user).exists():
        return []
    return _recovery_codes_create(user)


def recovery_codes_replace(*, user: User, proof: str, request: Any) -> list[str]:
    """A new set of recovery codes; the old ones stop working. Needs two-factor login on and a fresh
    `proof`. Raises IdentityNotConfirmed."""
    if not has_two_factor(user):
        raise ApplicationError(_("Turn on two-factor login first."))
    _require_identity(user=user, proof=proof, request=request)
    return _recovery_codes_create(user)


def _use_recovery_code(user: User, code: str) -> StaticDevice | None:
    """Deletes the matching recovery code and returns its device; a DELETE, so two requests racing with one
    code cannot both succeed. Wrong codes are throttled like django-otp's own verification."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()
    if device is None:
        return None
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return None
    used, _rows = StaticToken.objects.filter(device=device, token=recovery_digest(code)).delete()
    if not used:
        device.throttle_increment()
        return None
    device.throttle_reset()
    return device


def verify(user: User, code: str) -> Device | None:
    """The device `code` came from, if it is a valid code now: a code from the user's confirmed
    authenticator (django-otp throttles repeated failures and refuses a code used before) or one of their
    unused recovery codes (used up by this call)."""
    normal = _normal(code)
    if _RECOVERY_CODE.match(normal):
        return _use_recovery_code(user, normal) if has_two_factor(user) else None
    device = confirmed_device(user)
    if device is None or not device.verify_token(normal):
        return None
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG in a data: URI (allowed by the content security policy)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4, dark="#0b0c0c", light="#ffffff"))


def readable_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
