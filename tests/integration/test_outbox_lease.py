"""The outboxes share one delivery discipline: a row is claimed with a lease (a conditional UPDATE), sent
outside any transaction, and its result recorded only by the lease holder; the periodic dispatcher queues a
due row once per lease instead of every run; messages to one recipient about one case go out in the order
they were written."""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
import time_machine
from caunoi.notifications.backends import EmailBackend
from caunoi.notifications.models import Notification
from caunoi.notifications.services import (
    notification_deliver,
    notification_enqueue,
    notifications_dispatch_pending,
)
from caunoi.notifications.tasks import deliver_notification
from django.core import mail
from django.db import connection

pytestmark = pytest.mark.django_db

CONTEXT = {
    "tracking_code": "HD-2026-42",
    "title": "Hỏi về thủ tục cấp sổ đỏ",
    "agency": "Sở Nông nghiệp và Môi trường Hà Nội",
    "due_date": "2026-06-29",
    "track_url": "https://caunoi.example/track/HD-2026-42",
}


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(deliver_notification, "delay", ids.append)
    return ids


def enqueue(template: str = "case_received", **changes) -> Notification:
    arguments = {
        "channel": "email",
        "recipient": "citizen@example.vn",
        "template": template,
        "context": CONTEXT,
        "language": "vi",
        "subject_ref": "case:42",
        **changes,
    }
    row = notification_enqueue(**arguments)
    assert row is not None
    return row


def test_the_dispatcher_queues_a_due_row_once_per_lease(queued):
    row = enqueue(dispatch=False)  # as the deadline sweep writes them: no task yet

    assert notifications_dispatch_pending() == 1
    assert notifications_dispatch_pending() == 0  # the first task owns it for now: no duplicate in the broker
    assert queued == [row.pk]

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)):
        # The task was lost (a broker restart): once the lease runs out the row is queued again.
        assert notifications_dispatch_pending() == 1
    assert queued == [row.pk, row.pk]


def test_a_row_dispatched_after_commit_is_not_queued_again_by_the_dispatcher(
    queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue()
    assert len(queued) == 1
    assert notifications_dispatch_pending() == 0


@pytest.mark.django_db(transaction=True)
def test_the_message_is_sent_outside_any_transaction_and_lock(queued, monkeypatch):
    row = enqueue(dispatch=False)
    seen: dict[str, object] = {}
    send = EmailBackend.send

    def send_and_look(self, **message):
        seen["in_transaction"] = connection.in_atomic_block
        # Another session can lock the row while the message is on its way: no lock is held across the send.
        with psycopg.connect(**_libpq_params(), autocommit=True) as other:
            other.execute(f"SET lock_timeout = '500ms'")  # noqa: F541 - a constant setting
            other.execute(
                f"SELECT id FROM {Notification._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT",  # noqa: S608
                [row.pk],
            )
            status_sql = f"SELECT status FROM {Notification._meta.db_table} WHERE id = %s"  # noqa: S608
            seen["status_while_sending"] = other.execute(status_sql, [row.pk]).fetchone()[0]
        send(self, **message)

    monkeypatch.setattr(EmailBackend, "send", send_and_look)
    assert notification_deliver(row.pk) == "sent"
    assert seen == {"in_transaction": False, "status_while_sending": "sending"}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease_until) == ("sent", 1, None)


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_a_leased_row_and_a_crashed_worker_s_row_is_taken_over(queued, monkeypatch):
    row = enqueue(dispatch=False)
    sending, release = threading.Event(), threading.Event()
    send = EmailBackend.send

    def send_slowly(self, **message):
        sending.set()
        assert release.wait(timeout=10)
        send(self, **message)

    monkeypatch.setattr(EmailBackend, "send", send_slowly)
    outcomes: list[str] = []

    def worker_a():
        try:
            outcomes.append(notification_deliver(row.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=worker_a)
    thread.start()
    assert sending.wait(timeout=10)
    outcomes.append(notification_deliver(row.pk))  # worker B while A is mid-send
    release.set()
    thread.join(timeout=10)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.outbox) == 1

    # A worker that died mid-send leaves a lease that runs out; the dispatcher then hands the row on.
    crashed = enqueue(template="case_answered", dispatch=False, subject_ref="case:43")
    Notification.objects.filter(pk=crashed.pk).update(
        status="sending", lease_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5), attempts=1
    )
    monkeypatch.setattr(EmailBackend, "send", send)
    assert notification_deliver(crashed.pk) == "skipped"
    assert notifications_dispatch_pending() == 0
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)):
        assert notifications_dispatch_pending() == 1
        assert notification_deliver(crashed.pk) == "sent"
    crashed.refresh_from_db()
    assert (crashed.status, crashed.attempts) == ("sent", 2)


def test_messages_about_one_case_reach_its_recipient_in_the_order_written(queued):
    receipt = enqueue(dispatch=False)
    answer = enqueue(template="case_answered", dispatch=False)
    other_case = enqueue(template="case_answered", dispatch=False, subject_ref="case:99")

    assert notification_deliver(answer.pk) == "waiting"  # the receipt is not out yet
    assert notification_deliver(other_case.pk) == "sent"  # another case is not held up
    # The dispatcher does not hand out a row that waits behind an earlier one.
    assert notifications_dispatch_pending() == 1
    assert queued[-1] == receipt.pk
    queued.clear()

    assert notification_deliver(receipt.pk) == "sent"
    assert queued == [answer.pk]  # the next in line is queued as soon as the earlier one is out
    assert notification_deliver(answer.pk) == "sent"
    subjects = [message.to[0] for message in mail.outbox]
    assert len(subjects) == 3
    sent = Notification.objects.filter(pk__in=[receipt.pk, answer.pk]).order_by("sent_at")
    assert [n.pk for n in sent] == [receipt.pk, answer.pk]


def test_a_failed_attempt_keeps_the_order_and_a_message_failed_for_good_releases_the_next(
    queued, monkeypatch, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1

    def refuse(self, **message):
        raise ConnectionRefusedError("SMTP server refused the connection")

    receipt = enqueue(dispatch=False)
    answer = enqueue(template="case_answered", dispatch=False)
    monkeypatch.setattr(EmailBackend, "send", refuse)
    assert notification_deliver(receipt.pk) == "failed"
    assert queued == [answer.pk]
    monkeypatch.undo()
    monkeypatch.setattr(deliver_notification, "delay", queued.append)
    assert notification_deliver(answer.pk) == "sent"


def _libpq_params() -> dict[str, object]:
    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key in {"host", "port", "user", "password", "dbname"}}


@pytest.mark.django_db(transaction=True)
def test_a_slow_send_keeps_its_lease_alive_and_nobody_else_sends_meanwhile(queued, monkeypatch):
    import dataclasses
    import time

    from caunoi.notifications import services

    # A lease of one second renewed every 0.2 s; the send takes 2.5 s, well past the first lease.
    monkeypatch.setattr(
        services,
        "OUTBOX",
        dataclasses.replace(services.OUTBOX, send_lease=dt.timedelta(seconds=1), heartbeat=dt.timedelta(seconds=0.2)),
    )
    row = enqueue(dispatch=False)
    send, during = EmailBackend.send, []

    def send_slowly(self, **message):
        time.sleep(1.5)  # the first lease has run out by now: only its renewal protects the row
        during.append(services.OUTBOX.claim(row.pk))  # another worker tries
        connection.close()
        time.sleep(1)
        send(self, **message)

    monkeypatch.setattr(EmailBackend, "send", send_slowly)
    outcome: list[str] = []
    thread = threading.Thread(target=lambda: (outcome.append(notification_deliver(row.pk)), connection.close()))
    thread.start()
    thread.join(timeout=20)
    assert outcome == ["sent"]
    assert during == ["skipped"]
    assert len(mail.outbox) == 1
