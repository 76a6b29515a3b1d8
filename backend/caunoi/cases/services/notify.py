"""The messages cases send, written to the outbox in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from caunoi.accounts.models import User
from caunoi.notifications.models import Notification
from caunoi.notifications.replies import reply_address
from caunoi.notifications.services import notification_enqueue
from caunoi.portals.selectors import site_base_url_of

from ..models import Case
from ..signals import citizen_notified


def portal_url(path: str) -> str:
    return f"{str(settings.PORTAL_BASE_URL).rstrip('/')}{path}"


def track_url(case: Case) -> str:
    """The track form on the site the case was sent from. The access code is never stored, so the link only
    pre-fills the tracking code."""
    return f"{site_base_url_of(case.site_id)}{reverse('cases:track')}?code={case.tracking_code}"


def citizen_reply_subject(case: Case) -> str:
    """What the citizen's reply address of `case` stands for (caunoi.intake.mail reads it back)."""
    return f"case.{case.pk}.c"


def staff_reply_subject(case: Case, user: User) -> str:
    return f"case.{case.pk}.s{user.pk}"


def agency_name_for(case: Case, language: str) -> str:
    return case.agency.name_en if language == "en" and case.agency.name_en else case.agency.name


def notify_citizen(
    case: Case, template: str, *, dedupe_key: str | None = None, dispatch: bool = True, **context: Any
) -> None:
    """Email when the citizen gave an address, else SMS when they gave a phone number, else nothing.

    Parts of a split case say nothing: the citizen follows the whole, which speaks for them."""
    if case.split_from_id:
        return
    citizen_notified.send(Case, case=case, template=template, context=context)
    headers: dict[str, str] = {}
    if case.contact_email:
        channel, recipient = Notification.Channel.EMAIL, case.contact_email
        # A reply lands on the case's timeline (caunoi.intake.mail): the address is the case's own, signed.
        headers["Reply-To"] = reply_address(citizen_reply_subject(case))
        context.setdefault("reply_by_mail", "citizen")
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
        headers=headers,
        context={
            "tracking_code": case.tracking_code,
            "title": case.title,
            "agency": agency_name_for(case, case.language),
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
        # A reply becomes an internal note on the case, if the sender may write one (caunoi.intake.mail).
        headers={"Reply-To": reply_address(staff_reply_subject(case, user))},
        context={
            "tracking_code": case.tracking_code,
            "title": case.title,
            "reply_by_mail": "staff",
            "case_url": portal_url(reverse("cases:staff-case", args=[case.pk])),
            **context,
        },
    )
