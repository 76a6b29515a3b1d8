"""The messages cases send, written to the outbox in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from caunoi.accounts.models import User
from caunoi.notifications.models import Notification
from caunoi.notifications.services import notification_enqueue
from caunoi.portals.selectors import site_base_url_of

from ..models import Case


def portal_url(path: str) -> str:
    return f"{str(settings.PORTAL_BASE_URL).rstrip('/')}{path}"


def track_url(case: Case) -> str:
    """The track form on the site the case was sent from. The access code is never stored, so the link only
    pre-fills the tracking code."""
    return f"{site_base_url_of(case.site_id)}{reverse('cases:track')}?code={case.tracking_code}"


def _agency_name(case: Case, language: str) -> str:
    return case.agency.name_en if language == "en" and case.agency.name_en else case.agency.name


def notify_citizen(
    case: Case, template: str, *, dedupe_key: str | None = None, dispatch: bool = True, **context: Any
) -> None:
    """Email when the citizen gave an address, else SMS when they gave a phone number, else nothing.

    Parts of a split case say nothing: the citizen follows the whole, which speaks for them."""
    if case.split_from_id:
        return
    if case.contact_email:
        channel, recipient = Notification.Channel.EMAIL, case.contact_email
    elif case.contact_phone:
        channel, recipient = Notification.Channel.SMS, case.contact_phone
    else:
        return
    notification_enqueue(
        channel=channel,
        recipient=recipient,
        template=template,
        language=case.language,
        subject_ref=f"case:{case.pk}",
        dedupe_key=dedupe_key,
        dispatch=dispatch,
        context={
            "tracking_code": case.tracking_code,
            "title": case.title,
            "agency": _agency_name(case, case.language),
            "track_url": track_url(case),
            **context,
        },
    )


def notify_staff(user: User, case: Case, template: str, **context: Any) -> None:
    if not user.email:
        return
    notification_enqueue(
        channel=Notification.Channel.EMAIL,
        recipient=user.email,
        template=template,
        language="vi",
        subject_ref=f"case:{case.pk}",
        context={
            "tracking_code": case.tracking_code,
            "title": case.title,
            "case_url": portal_url(reverse("cases:staff-case", args=[case.pk])),
            **context,
        },
    )
