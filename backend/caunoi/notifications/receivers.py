"""Messages set off by signals of the apps below this one (they cannot import the outbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.dispatch import receiver

from caunoi.accounts.lockout import login_attack_suspected
from caunoi.accounts.models import Role, User
from caunoi.accounts.services import email_changed
from caunoi.core import clock

from .models import Notification
from .services import notification_enqueue


@receiver(login_attack_suspected)
def tell_administrators_of_a_login_attack(
    sender: object, kind: str, address: str, username: str, count: int, **kwargs: Any
) -> None:
    """One e-mail per active administrator with an address (lockout sends the signal once per window and
    pattern; the dedupe key makes a repeat within the hour harmless too)."""
    hour = clock.now().astimezone(dt.UTC).strftime("%Y%m%d%H")
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(email="")
    for admin in admins:
        notification_enqueue(
            channel=Notification.Channel.EMAIL,
            recipient=admin.email,
            template="staff_login_attack",
            language="vi",
            context={
                "kind": kind,
                "address": address,
                "username": username,
                "count": count,
                "window_hours": settings.LOGIN_FAILURE_WINDOW_HOURS,
            },
            dedupe_key=f"login-attack:{kind}:{address or username}:{hour}:{admin.pk}"[:200],
            subject_ref=f"login-attack:{kind}",
        )


def _hidden(address: str) -> str:
    """`an@example.vn` → `a…@example.vn`: enough for the owner to recognise, little for anyone else."""
    name, _at, domain = address.partition("@")
    return f"{name[:1]}…@{domain}"


@receiver(email_changed)
def warn_the_old_address(sender: object, user: User, old_email: str, **kwargs: Any) -> None:
    """One e-mail to the address the account had, written in the change's transaction."""
    notification_enqueue(
        channel=Notification.Channel.EMAIL,
        recipient=old_email,
        template="account_email_changed",
        language="vi",
        context={
            "username": user.get_username(),
            "new_email": _hidden(user.email),
            "portal_url": settings.PORTAL_BASE_URL,
        },
        subject_ref=f"user:{user.pk}",
    )
