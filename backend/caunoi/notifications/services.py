"""The outbox's writes: enqueue a message in the caller's transaction, dispatch it after commit, deliver it.

Delivery is at least once and follows `caunoi.core.outbox`: a row is claimed with a lease, its message sent
outside any transaction, and the result recorded by the lease holder; two workers never send it together,
but a crash between the send and the record sends it again once the lease runs out. Messages to one
recipient about one case (`subject_ref`) go out in the order they were written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Field, Q
from django.utils import translation

from caunoi.core import clock
from caunoi.core.outbox import Backoff, Claim, Outbox, queue_each

from .backends import backend_for
from .models import Notification
from .rendering import check_template, render_message
from .replies import case_reply_subject, reply_address

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
# The wait after the n-th failed attempt: 1 minute, doubling each time, at most an hour.
retry_delay = Backoff(first=dt.timedelta(minutes=1), most=dt.timedelta(hours=1))
LAST_ERROR_MAX_CHARS = 2000
DISPATCH_BATCH = 500
# Context keys holding a secret for the recipient alone (the access code in the receipt of a staff-entered or
# e-mailed case): removed from the row once the message is sent, so the outbox does not keep them.
SECRET_CONTEXT_KEYS = frozenset({"access_token"})


class Delivery(StrEnum):
    """What one call of `notification_deliver` did."""

    SENT = "sent"
    RETRY = "retry"  # the attempt failed; the row is due again after a backoff
    FAILED = "failed"  # the last allowed attempt failed; the row stays, marked failed, for an admin
    SKIPPED = "skipped"  # not pending, not due yet, or being delivered by another worker right now
    WAITING = "waiting"  # an earlier message to the same recipient about the same case has not gone out yet


def notification_enqueue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict[str, Any],
    language: str = "vi",
    dedupe_key: str | None = None,
    subject_ref: str = "",
    dispatch: bool = True,
    headers: dict[str, str] | None = None,
) -> Notification | None:
    """Writes one outbox row in the caller's transaction; its delivery is dispatched once that commits.

    Returns the row, or None without writing anything when `recipient` is blank or a row with `dedupe_key`
    already exists. Two transactions racing on one key are safe: PostgreSQL makes the second wait for the
    first, then skip (or insert, if the first rolled back). `context` holds JSON values only (dates as ISO
    strings); it is stored and rendered later, in a worker. A language Django does not offer falls back to
    LANGUAGE_CODE. `headers` are extra e-mail headers (Reply-To, List-Unsubscribe), ignored by other channels.

    Raises ValueError for an unknown channel or a malformed template name and TemplateDoesNotExist for a
    missing template: programming errors, which rightly roll back the caller's change.

    Sets off, after commit, `deliver_notification` for the row (unless `dispatch` is False: hot paths leave
    the row to the periodic `dispatch_pending_notifications`, seconds later). If the broker cannot take the
    task the error is logged, never raised, and the periodic dispatcher picks the row up later. A rolled
    back transaction leaves no row and sends nothing.
    """
    recipient = recipient.strip()
    if not recipient:
        return None
    if channel not in Notification.Channel.values:
        raise ValueError(f"unknown notification channel {channel!r}")
    check_template(template)  # fails in the writer's tests, not in a worker hours later
    row = Notification(
        channel=channel,
        recipient=recipient,
        language=_supported_language(language),
        template=template,
        context=context,
        dedupe_key=dedupe_key,
        subject_ref=subject_ref,
        headers=headers or {},
        next_attempt_at=clock.now(),
        queued_until=OUTBOX.queue_lease_until() if dispatch else None,
    )
    using = router.db_for_write(Notification)
    if not _insert_unless_duplicate(row, using=using):
        return None
    if dispatch:
        transaction.on_commit(partial(OUTBOX.queue, [row.pk]), using=using)
    return row


def notifications_dispatch_pending(limit: int = DISPATCH_BATCH) -> int:
    """Queues delivery of up to `limit` due rows, oldest due first, each at most once per queue lease;
    returns how many the broker took.

    For the periodic task, and for writers that insert rows in bulk with SQL. Call it after commit (from
    `transaction.on_commit`): a worker cannot see rows whose transaction is still open. Due rows are pending
    ones past their next attempt and rows whose sender died (lease run out); a row waiting behind an earlier
    message of its conversation is left for when that one goes out. Stops at the first row the broker
    refuses (the rest would fail alike); the next run carries on.
    """
    return OUTBOX.dispatch_due(limit=limit)


def notification_deliver(notification_id: int) -> Delivery:
    """Renders and sends one row's message, if the row is pending and due; safe to run twice or at once.

    The row is claimed with a lease (`caunoi.core.outbox`), so a concurrent call skips it rather than
    sending it again, and the message is sent with no transaction open and no lock held. A row behind an
    earlier unsent message to the same recipient about the same case is left waiting; it is queued when
    that one is sent or fails for good. On success sets `status=sent`, `sent_at`; the attempt is counted
    either way. On any error from rendering or the backend it stores the error in `last_error` and makes the
    row due again after 1, 2, 4 … minutes (at most an hour); the attempt that reaches
    NOTIFICATION_MAX_ATTEMPTS marks it failed instead. Rows are never deleted.

    Raises only database errors (the task retries those); returns what it did.
    """
    now = clock.now()
    row = OUTBOX.claim(notification_id)
    if isinstance(row, Claim):
        return Delivery(row.value)
    try:
        with OUTBOX.holding(row):
            headers, context = _with_reply_address(row)
            message = render_message(template=row.template, context=context, language=row.language)
            extra = {"headers": headers} if headers else {}  # backends without headers keep working
            backend_for(row.channel).send(recipient=row.recipient, subject=message.subject, body=message.body, **extra)
    except Exception as exc:
        # Any failure of a template, a gateway or its configuration is the row's to retry and show;
        # letting it escape would only make the task fail without a record.
        return _record_failure(row, exc, now=now)
    sent: dict[str, Any] = {"status": Notification.Status.SENT, "sent_at": clock.now()}
    if SECRET_CONTEXT_KEYS & row.context.keys():  # delivered: the secret has no more reason to be kept
        sent["context"] = {key: value for key, value in row.context.items() if key not in SECRET_CONTEXT_KEYS}
    OUTBOX.settle(row, **sent)
    return Delivery.SENT


@transaction.atomic
def notifications_retry(*, notification_ids: Iterable[int]) -> int:
    """Makes failed and pending rows among `notification_ids` pending and due now, and dispatches them after
    commit; sent rows, and rows being sent right now, are left alone. Returns how many rows it requeued.

    Attempts are not reset: a failed row gets one more attempt (and is failed again if that one fails),
    and its history stays readable."""
    ids = list(
        Notification.objects.select_for_update()
        .filter(pk__in=list(notification_ids), status__in=[Notification.Status.FAILED, Notification.Status.PENDING])
        .values_list("pk", flat=True)
    )
    OUTBOX.requeue(ids)
    return len(ids)


def _with_reply_address(row: Notification) -> tuple[dict[str, str], dict[str, Any]]:
    """The row's headers and context, with the case's reply address when a writer could not sign one (the
    deadline sweep writes its rows in SQL): every e-mail about a case can be answered (caunoi.intake.mail)."""
    headers, context = dict(row.headers or {}), dict(row.context)
    if row.channel != Notification.Channel.EMAIL or "Reply-To" in headers:
        return headers, context
    subject = case_reply_subject(subject_ref=row.subject_ref, template=row.template, recipient=row.recipient)
    if subject is not None:
        headers["Reply-To"] = reply_address(subject)
        context.setdefault("reply_by_mail", "staff" if ".s" in subject else "citizen")
    return headers, context


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def _record_failure(row: Notification, exc: Exception, *, now: dt.datetime) -> Delivery:
    error = f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX_CHARS]
    if OUTBOX.fail_attempt(row, error=error, retryable=True, max_attempts=max_attempts(), backoff=retry_delay, now=now):
        logger.error("notification %s failed for good after %s attempts", row.pk, row.attempts, exc_info=exc)
        return Delivery.FAILED
    logger.warning("notification %s: attempt %s failed; retrying", row.pk, row.attempts, exc_info=exc)
    return Delivery.RETRY


def _dispatch(notification_ids: list[int]) -> int:
    from .tasks import deliver_notification  # tasks import this module

    return queue_each(deliver_notification, notification_ids, what="notification")


# Messages to one recipient about one case go out in the order they were written; messages about no case
# (a password reset) wait for nothing.
OUTBOX = Outbox(
    model=Notification,
    dispatch=_dispatch,
    in_order_by=("channel", "recipient", "subject_ref"),
    ordered=~Q(subject_ref=""),
    error_max_chars=LAST_ERROR_MAX_CHARS,
)


def _supported_language(language: str) -> str:
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return str(settings.LANGUAGE_CODE)


def _insert_unless_duplicate(row: Notification, *, using: str) -> bool:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id. Returns whether the row was written, and
    then sets its primary key. The ORM cannot say which rows `bulk_create(ignore_conflicts=True)` wrote, so
    the statement is built here, from the model's own fields and their conversions to database values."""
    connection = connections[using]
    meta = Notification._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]

    def column(field: Field[Any, Any] | None) -> str:
        assert field is not None and field.column  # concrete fields and the primary key have columns
        return connection.ops.quote_name(field.column)

    dedupe_key = meta.get_field("dedupe_key")
    assert isinstance(dedupe_key, Field)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({', '.join(map(column, fields))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({column(dedupe_key)}) DO NOTHING RETURNING {column(meta.pk)}"
    )  # identifiers come from the model and are quoted; the values travel as parameters
    values = [field.get_db_prep_save(field.pre_save(row, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk = inserted[0]
    row._state.adding = False
    row._state.db = using
    return True
