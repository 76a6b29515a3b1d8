"""Posts to agencies' social channels: written to the outbox with the change, sent after commit.

Posting is at least once: a worker that dies between the platform's answer and its commit leaves the row
pending, and it is sent again (webhook receivers de-duplicate on the delivery id; a page may show the post
twice, which is better than never). Nothing here blocks or fails publishing or scheduling: their
transactions only insert rows; the HTTP requests happen in workers, with a short timeout.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.db import transaction

from caunoi.agencies.models import Agency
from caunoi.core import clock
from caunoi.core.outbox import Backoff, Claim, Outbox, queue_each
from caunoi.dialogues.models import Dialogue
from caunoi.publication.models import PublishedItem

from . import links
from .connectors import ConnectorError, Outgoing, connector_for
from .models import Event, SocialChannel, SocialPost, default_answer_template, default_dialogue_template
from .templating import Variables, render_message

logger = logging.getLogger(__name__)

# The wait after the n-th failed attempt: 1 minute, doubling, at most 2 hours.
retry_delay = Backoff(first=dt.timedelta(minutes=1), most=dt.timedelta(hours=2))
DISPATCH_BATCH = 200
DEFAULT_TEMPLATES = {
    Event.ANSWER_PUBLISHED: default_answer_template,
    Event.DIALOGUE_ANNOUNCED: default_dialogue_template,
}


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # failed; due again after a backoff
    FAILED = "failed"  # failed for good (permanent error, out of attempts, or the channel was switched off)
    SKIPPED = "skipped"  # not pending, not due yet, or being sent by another worker


def max_attempts() -> int:
    return int(settings.SOCIAL_MAX_ATTEMPTS)


def channels_for(agency: Agency | None) -> list[SocialChannel]:
    """The switched-on channels of the agency and of every agency above it."""
    if agency is None:
        return []
    return list(SocialChannel.objects.filter(enabled=True, agency_id__in=agency.ancestor_ids()))


def posts_enqueue_for_item(*, item: PublishedItem) -> list[SocialPost]:
    """Writes a pending "answer published" post per channel covering the item's agency, in the caller's
    transaction; sending is queued once it commits. Items imported from another portal are not posted
    (their origin announces them). An item already announced on a channel is not announced again."""
    if item.origin_portal:
        return []
    agency = item.agency
    return _enqueue(
        channels=channels_for(agency),
        event=Event.ANSWER_PUBLISHED,
        object_id=item.pk,
        object_ref=item.slug,
        variables=Variables.at(
            item.published_at or clock.now(),
            title=item.title,
            agency=agency.name if agency else "",
            link=links.item_link(item),
        ),
    )


def posts_rewrite_for_item(*, item: PublishedItem) -> int:
    """Re-renders every post announcing `item` (pending, failed or sent) from its current public text, in the
    caller's transaction: after a privacy correction nothing still waiting sends the old title and the log
    keeps none of it. A post already on a platform stays there (platforms are not asked to edit); its
    `external_id` names it for whoever must take it down. Returns how many rows changed."""
    posts = list(SocialPost.objects.select_for_update().filter(event=Event.ANSWER_PUBLISHED, object_id=item.pk))
    if not posts:
        return 0
    agency = item.agency
    variables = Variables.at(
        item.published_at or clock.now(),
        title=item.title,
        agency=agency.name if agency else "",
        link=links.item_link(item),
    )
    for post in posts:
        fresh = _row(
            post.channel, event=Event.ANSWER_PUBLISHED, object_id=item.pk, object_ref=item.slug, variables=variables
        )
        post.title, post.message = fresh.title, fresh.message
    SocialPost.objects.bulk_update(posts, ["title", "message"])
    return len(posts)


def posts_enqueue_for_dialogue(*, dialogue: Dialogue) -> list[SocialPost]:
    """As posts_enqueue_for_item, for a newly announced dialogue (date and time are when it starts)."""
    return _enqueue(
        channels=channels_for(dialogue.agency),
        event=Event.DIALOGUE_ANNOUNCED,
        object_id=dialogue.pk,
        object_ref=f"dialogue-{dialogue.pk}",
        variables=Variables.at(
            dialogue.starts_at,
            title=dialogue.title,
            agency=dialogue.agency.name,
            link=links.dialogue_link(dialogue),
        ),
    )


def _enqueue(
    *, channels: list[SocialChannel], event: Event, object_id: int, object_ref: str, variables: Variables
) -> list[SocialPost]:
    if not channels:
        return []
    rows = [
        _row(channel, event=event, object_id=object_id, object_ref=object_ref, variables=variables)
        for channel in channels
    ]
    queued_until = OUTBOX.queue_lease_until()
    for row in rows:
        row.queued_until = queued_until
    SocialPost.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts leaves no primary keys: read back the rows this transaction can see, new or old.
    ids = list(
        SocialPost.objects.filter(
            channel__in=channels, event=event, object_id=object_id, status=SocialPost.Status.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(partial(OUTBOX.queue, ids))
    return list(SocialPost.objects.filter(pk__in=ids))


def _row(channel: SocialChannel, *, event: Event, object_id: int, object_ref: str, variables: Variables) -> SocialPost:
    row = SocialPost(
        channel=channel,
        event=event,
        object_id=object_id,
        object_ref=object_ref[:120],
        title=variables.title[:255],
        link=variables.link,
    )
    try:
        row.message = render_message(channel.template_for(event), variables)
    except Exception:
        # A template saved around the admin's check must not fail the publication, nor lose the post: the
        # default message goes out instead, and the error is logged for the channel to be fixed.
        logger.error("social channel %s: its %s template cannot be rendered", channel.pk, event, exc_info=True)
        row.message = render_message(DEFAULT_TEMPLATES[event](), variables)
    return row


def posts_dispatch_pending(limit: int = DISPATCH_BATCH) -> int:
    """Queues a send task for up to `limit` due posts, oldest first, each at most once per queue lease;
    returns how many. For the periodic task: retries after a backoff, posts whose dispatch after commit was
    lost, posts whose worker died mid-send."""
    return OUTBOX.dispatch_due(limit=limit)


def post_attempt(post_id: int) -> Outcome:
    """Sends one pending, due post through its channel's connector; safe to run twice or at once.

    The row is claimed with a lease, so a concurrent call skips it, and the platform is called with no
    transaction open and no lock held. Success stores the platform's post id. A RetryableError makes the row
    due again after `retry_delay`, until the attempt that reaches SOCIAL_MAX_ATTEMPTS marks it failed; a
    PermanentError marks it failed at once. The error is kept for administrators (never a credential). A post
    whose channel has been switched off fails unsent.

    Raises only database errors (the task retries those)."""
    now = clock.now()
    row = OUTBOX.claim(post_id, select_related=["channel", "channel__agency"], last_attempt_at=now)
    if isinstance(row, Claim):
        return Outcome.SKIPPED
    channel = row.channel
    if not channel.enabled:
        OUTBOX.settle(row, status=SocialPost.Status.FAILED, last_error="The channel is switched off.")
        return Outcome.FAILED
    try:
        with OUTBOX.holding(row):
            external_id = connector_for(channel.platform).post(channel, _outgoing(row))
    except ConnectorError as exc:
        return _record_failure(row, exc, now=now)
    OUTBOX.settle(row, status=SocialPost.Status.SENT, external_id=external_id[:200], sent_at=clock.now(), last_error="")
    return Outcome.SENT


@transaction.atomic
def posts_retry(*, post_ids: Iterable[int]) -> int:
    """Makes failed and pending posts among `post_ids` due now and queues them after commit; sent ones, and
    ones being sent right now, are left alone. Attempts are not reset: a failed post gets one more try.
    Returns how many were requeued."""
    ids = list(
        SocialPost.objects.select_for_update()
        .filter(pk__in=list(post_ids), status__in=[SocialPost.Status.FAILED, SocialPost.Status.PENDING])
        .values_list("pk", flat=True)
    )
    OUTBOX.requeue(ids)
    return len(ids)


def _outgoing(row: SocialPost) -> Outgoing:
    agency = row.channel.agency
    return Outgoing(
        message=row.message,
        link=row.link,
        title=row.title,
        event=row.event,
        delivery_id=str(row.delivery_id),
        agency_code=agency.code,
        agency_name=agency.name,
    )


def _record_failure(row: SocialPost, exc: ConnectorError, *, now: dt.datetime) -> Outcome:
    failed = OUTBOX.fail_attempt(
        row,
        error=str(exc),
        retryable=exc.retryable,
        max_attempts=max_attempts(),
        backoff=retry_delay,
        now=now,
        last_status_code=exc.status_code,
    )
    if failed:
        logger.error("social post %s to channel %s failed for good: %s", row.pk, row.channel_id, row.last_error)
        return Outcome.FAILED
    logger.warning("social post %s attempt %s failed: %s; retrying", row.pk, row.attempts, row.last_error)
    return Outcome.RETRY


def _dispatch(post_ids: list[int]) -> int:
    from .tasks import send_social_post  # tasks import this module

    return queue_each(send_social_post, post_ids, what="social post")


OUTBOX = Outbox(model=SocialPost, dispatch=_dispatch)
