"""Two-factor login (TOTP, RFC 6238) for staff, on django-otp's TOTP devices.

Any staff member may turn it on; the roles in TWO_FACTOR_REQUIRED_ROLES (administrators) must
(middleware.AdminTwoFactorRequired). A user with a
confirmed device logs in with their password and then a six-digit code from an authenticator app; the API's
token login asks for the code in the same request (`otp_token`).
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from caunoi.core.errors import ApplicationError

from .models import STAFF_ROLES, User

DEVICE_NAME = "authenticator"


class CannotTurnOff(ApplicationError):
    status_code = 403


def may_use(user: User) -> bool:
    return bool(user.is_authenticated and user.role in STAFF_ROLES)


def required_for(user: User) -> bool:
    return bool(user.is_authenticated and user.role in settings.TWO_FACTOR_REQUIRED_ROLES)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (one per user; made on first call)."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": DEVICE_NAME})
    return device


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> TOTPDevice | None:
    """Confirms the pending device if `code` is right (it proves the app was set up); any earlier confirmed
    device is replaced. Returns the device, or None for a wrong code."""
    device = pending_device(user)
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def two_factor_turn_off(*, user: User) -> None:
    """Removes the user's devices. Raises CannotTurnOff for administrators, who must keep it."""
    if required_for(user):
        raise CannotTurnOff(_("Administrators must keep two-factor login on."))
    TOTPDevice.objects.filter(user=user).delete()


def verify(user: User, code: str) -> TOTPDevice | None:
    """The user's confirmed device if `code` is a valid code from it (django-otp throttles repeated
    failures and refuses a code used before)."""
    device = confirmed_device(user)
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        return None
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG in a data: URI (allowed by the content security policy)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4, dark="#0b0c0c", light="#ffffff"))


def readable_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
