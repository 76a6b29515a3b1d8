"""Following by e-mail and supporting items. Links in messages carry signed tokens (django.core.signing):
they prove the holder received the message, so confirming and unsubscribing need no login."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from caunoi.core import clock
from caunoi.core.transactions import service_transaction
from caunoi.notifications.models import Notification
from caunoi.notifications.replies import reply_address
from caunoi.notifications.services import notification_enqueue
from caunoi.publication.models import PublishedItem

from .models import Subscription, Support, Target

_CONFIRM = "caunoi.follows.confirm"
_UNSUBSCRIBE = "caunoi.follows.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a week to click the confirmation link


def _url(path: str) -> str:
    return f"{str(settings.PORTAL_BASE_URL).rstrip('/')}{path}"


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps(subscription.pk, salt=_UNSUBSCRIBE)
    return _url(reverse("follows:unsubscribe", args=[token]))


def unsubscribe_headers(subscription: Subscription) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an "unsubscribe" button that POSTs to the link at once."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@service_transaction
def follow_request(*, email: str, target: str, target_id: int, frequency: str, language: str) -> Subscription:
    """Records the wish to follow and sends the confirmation link (nothing else is sent until it is
    clicked). Asking again while a subscription is live sends the link again (or nothing, once confirmed)."""
    email = email.strip().lower()
    live = Subscription.objects.select_for_update().filter(
        email=email, target=target, target_id=target_id, ended_at__isnull=True
    )
    subscription = live.first()
    if subscription is None:
        subscription = Subscription.objects.create(
            email=email, target=target, target_id=target_id, frequency=frequency, language=language
        )
    if subscription.confirmed_at is None:
        token = signing.dumps(subscription.pk, salt=_CONFIRM)
        notification_enqueue(
            channel=Notification.Channel.EMAIL,
            recipient=email,
            template="follow_confirm",
            language=language,
            context={"confirm_url": _url(reverse("follows:confirm", args=[token])), "what": describe(subscription)},
        )
    return subscription


def subscription_of(token: str, *, confirming: bool) -> Subscription | None:
    """The live subscription a link's token names, or None (forged, expired, or already ended)."""
    try:
        if confirming:
            pk = signing.loads(token, salt=_CONFIRM, max_age=CONFIRM_MAX_AGE)
        else:
            pk = signing.loads(token, salt=_UNSUBSCRIBE)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(pk=pk, ended_at__isnull=True).first()


@service_transaction
def follow_confirm(*, subscription: Subscription) -> Subscription:
    now = clock.now()
    Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(confirmed_at=now, digest_from=now)
    subscription.refresh_from_db()
    return subscription


@service_transaction
def follow_end(*, subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk, ended_at__isnull=True).update(ended_at=clock.now())


def describe(subscription: Subscription) -> str:
    from caunoi.agencies.models import Agency, Category
    from caunoi.cases.models import Case

    if subscription.target == Target.CASE:
        case = Case.objects.filter(pk=subscription.target_id).first()
        return case.tracking_code if case else ""
    if subscription.target == "item":
        item = PublishedItem.objects.filter(pk=subscription.target_id).first()
        return item.title if item else ""
    model = Agency if subscription.target == "agency" else Category
    found = model.objects.filter(pk=subscription.target_id).first()
    return str(getattr(found, "display_name", "") or found) if found else ""


def followers_notify(*, item: PublishedItem, change: str) -> int:
    """Writes (in the caller's transaction) one message per confirmed immediate follower of the item, its
    agency or its category; each carries its own one-click unsubscribe. Digest followers are left to the
    daily digest. Returns how many were written."""
    targets: list[tuple[str, int | None]] = [("item", item.pk)]
    if change == "published":
        targets += [("agency", item.agency_id), ("category", item.category_id)]
    written, seen = 0, set()
    for target, target_id in targets:
        if target_id is None:
            continue
        followers = Subscription.objects.filter(
            target=target, target_id=target_id, confirmed_at__isnull=False, ended_at__isnull=True,
            frequency=Subscription.Frequency.IMMEDIATE,
        )  # fmt: skip
        for subscription in followers:
            if subscription.email in seen:  # one message per person, however many ways they follow it
                continue
            seen.add(subscription.email)
            notification_enqueue(
                channel=Notification.Channel.EMAIL,
                recipient=subscription.email,
                template="follow_item",
                language=subscription.language,
                headers=unsubscribe_headers(subscription),
                dedupe_key=f"follow:{subscription.pk}:{item.pk}:{change}:{item.updated_at.timestamp():.0f}",
                context={
                    "title": item.title,
                    "change": change,
                    "item_url": _url(reverse("publication:item", args=[item.slug])),
                    "what": describe(subscription),
                    "unsubscribe_url": unsubscribe_url(subscription),
                },
            )  # fmt: skip
            written += 1
    return written


# Never copied to a follower: the access code opens the case (only the citizen's own receipt carries it).
_PRIVATE_CONTEXT = frozenset({"access_token"})


def case_followers_notify(*, case: Any, template: str, context: dict[str, Any]) -> int:
    """Copies a message to the citizen about `case` to each confirmed follower of the case (in the caller's
    transaction), with the case's reply address and a one-click unsubscribe. Returns how many."""
    from caunoi.cases.services.notify import agency_name_for, citizen_reply_subject, track_url

    followers = Subscription.objects.filter(
        target=Target.CASE, target_id=case.pk, confirmed_at__isnull=False, ended_at__isnull=True
    ).exclude(email=case.contact_email.strip().lower())  # the contact address gets the message itself
    written = 0
    for subscription in followers:
        copy = {key: value for key, value in context.items() if key not in _PRIVATE_CONTEXT}
        notification_enqueue(
            channel=Notification.Channel.EMAIL,
            recipient=subscription.email,
            template=template,
            language=case.language,
            subject_ref=f"case:{case.pk}",
            headers={"Reply-To": reply_address(citizen_reply_subject(case)), **unsubscribe_headers(subscription)},
            context={
                "tracking_code": case.tracking_code, "title": case.title,
                "agency": agency_name_for(case, case.language), "track_url": track_url(case),
                "reply_by_mail": "citizen", **copy,
            },
        )  # fmt: skip
        written += 1
    return written


def case_follows_end(*, case: Any) -> None:
    Subscription.objects.filter(target=Target.CASE, target_id=case.pk, ended_at__isnull=True).update(
        ended_at=clock.now()
    )


def support_add(*, item: PublishedItem, supporter: str) -> bool:
    """Counts one "me too" from `supporter` (see Support); False when they already had. Rate limits per
    address are the caller's (core.policy scope "support")."""
    try:
        with transaction.atomic():
            Support.objects.create(item=item, supporter=supporter[:80])
    except IntegrityError:
        return False
    return True


DIGEST_EVERY = dt.timedelta(hours=24)
DIGEST_MAX_ITEMS = 30


def follow_digests_send(*, now: dt.datetime | None = None) -> int:
    """Writes one digest per confirmed "once a day" subscriber whose last digest is 24 hours old and who has
    new answers (published since then in what they follow), and moves their window on; nothing for those
    with nothing new. Each subscriber in its own short transaction. Returns how many digests were written."""
    now = now or clock.now()
    due = Subscription.objects.filter(
        frequency=Subscription.Frequency.DIGEST, confirmed_at__isnull=False, ended_at__isnull=True,
        digest_from__lte=now - DIGEST_EVERY,
    ).exclude(target=Target.CASE).values_list("pk", flat=True)  # fmt: skip
    written = 0
    for pk in list(due):
        written += _digest_one(pk, now=now)
    return written


@service_transaction
def _digest_one(pk: int, *, now: dt.datetime) -> int:
    from caunoi.publication.models import Status

    subscription = Subscription.objects.select_for_update().filter(pk=pk, ended_at__isnull=True).first()
    if subscription is None or subscription.digest_from is None or subscription.digest_from > now - DIGEST_EVERY:
        return 0
    field = {"item": "pk", "agency": "agency_id", "category": "category_id"}[subscription.target]
    items = list(
        PublishedItem.objects.filter(
            status=Status.PUBLISHED, published_at__gt=subscription.digest_from, published_at__lte=now,
            **{field: subscription.target_id},
        ).order_by("-published_at")[:DIGEST_MAX_ITEMS]
    )  # fmt: skip
    Subscription.objects.filter(pk=pk).update(digest_from=now)
    if not items:
        return 0
    notification_enqueue(
        channel=Notification.Channel.EMAIL,
        recipient=subscription.email,
        template="follow_digest",
        language=subscription.language,
        headers=unsubscribe_headers(subscription),
        dedupe_key=f"follow-digest:{pk}:{now:%Y%m%d%H}",
        context={
            "what": describe(subscription),
            "items": [{"title": i.title, "url": _url(reverse("publication:item", args=[i.slug]))} for i in items],
            "unsubscribe_url": unsubscribe_url(subscription),
        },
    )
    return 1
