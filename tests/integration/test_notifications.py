"""The outbox: a message is written with the change it reports, sent after commit, retried, never lost."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest
import time_machine
from caunoi.notifications import tasks
from caunoi.notifications.backends import EmailBackend
from caunoi.notifications.checks import check_notification_backends
from caunoi.notifications.models import Notification
from caunoi.notifications.services import (
    notification_deliver,
    notification_enqueue,
    notifications_dispatch_pending,
)
from caunoi.notifications.tasks import deliver_notification, dispatch_pending_notifications
from django.core import mail
from django.db import OperationalError, connection, transaction
from django.template import TemplateDoesNotExist
from kombu.exceptions import OperationalError as BrokerError

pytestmark = pytest.mark.django_db

VN = dt.timezone(dt.timedelta(hours=7))
CONTEXT = {
    "tracking_code": "HD-2026-42",
    "title": "Hỏi về thủ tục cấp sổ đỏ",
    "agency": "Sở Nông nghiệp và Môi trường Hà Nội",
    "due_date": "2026-06-29",
    "track_url": "https://caunoi.example/track/HD-2026-42",
}


def enqueue(**changes) -> Notification | None:
    arguments = {
        "channel": "email",
        "recipient": "citizen@example.vn",
        "template": "case_received",
        "context": CONTEXT,
        "language": "en",
        "subject_ref": "case:42",
        **changes,
    }
    return notification_enqueue(**arguments)


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The ids handed to the broker (instead of the broker)."""
    ids: list[int] = []
    monkeypatch.setattr(deliver_notification, "delay", ids.append)
    return ids


@pytest.fixture
def broken_smtp(monkeypatch):
    def refuse(self, **message):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr(EmailBackend, "send", refuse)


# Writing and dispatching


def test_enqueue_writes_a_row_and_dispatches_its_delivery_only_after_commit(django_capture_on_commit_callbacks, queued):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = enqueue()
        assert queued == []  # the caller's transaction is still open

    assert len(callbacks) == 1
    assert queued == [row.pk]
    row = Notification.objects.get(pk=row.pk)
    assert (row.status, row.attempts, row.recipient, row.context) == ("pending", 0, "citizen@example.vn", CONTEXT)
    assert (row.template, row.language, row.subject_ref) == ("case_received", "en", "case:42")


def test_a_rolled_back_transaction_writes_and_sends_nothing(django_capture_on_commit_callbacks, queued):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue()
        raise RuntimeError("the change being reported failed")

    assert callbacks == []
    assert queued == []
    assert not Notification.objects.exists()


def test_a_dedupe_key_is_written_once(django_capture_on_commit_callbacks, queued):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(dedupe_key="late:42:2026-07-06")
        second = enqueue(dedupe_key="late:42:2026-07-06", recipient="someone-else@example.vn")

    assert first is not None
    assert second is None
    assert list(Notification.objects.values_list("pk", flat=True)) == [first.pk]
    assert queued == [first.pk]


def test_a_blank_recipient_writes_nothing(django_capture_on_commit_callbacks, queued):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert enqueue(recipient="  ") is None
    assert callbacks == []
    assert not Notification.objects.exists()


def test_programming_errors_are_raised_to_the_writer():
    with pytest.raises(ValueError, match="channel"):
        enqueue(channel="fax")
    with pytest.raises(TemplateDoesNotExist):
        enqueue(template="no_such_template")
    with pytest.raises(ValueError, match="template name"):
        enqueue(template="../base")


def test_an_unoffered_language_falls_back_to_the_default_and_variants_to_their_language(queued):
    assert enqueue(language="fr").language == "vi"
    assert enqueue(language="en-us").language == "en"


def test_a_broker_outage_is_logged_and_the_row_waits_for_the_periodic_dispatcher(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(notification_id):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_notification, "delay", broker_down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        row = enqueue()  # must not raise: the caller's change is already committed

    assert f"notification {row.pk}: the broker refused its task" in caplog.text
    assert Notification.objects.get(pk=row.pk).status == "pending"

    queued: list[int] = []
    monkeypatch.setattr(deliver_notification, "delay", queued.append)  # the broker is back
    assert dispatch_pending_notifications() == 1
    assert queued == [row.pk]


def test_the_dispatcher_queues_only_pending_rows_that_are_due(queued):
    due, later, sent, failed = (enqueue(dedupe_key=str(n), dispatch=False) for n in range(4))
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=dt.datetime(2100, 1, 1, tzinfo=VN))
    Notification.objects.filter(pk=sent.pk).update(status="sent")
    Notification.objects.filter(pk=failed.pk).update(status="failed")
    queued.clear()

    assert notifications_dispatch_pending() == 1
    assert queued == [due.pk]


def test_the_dispatcher_stops_at_the_first_refusal(monkeypatch):
    rows = [enqueue(dedupe_key=str(n), dispatch=False) for n in range(3)]
    taken: list[int] = []

    def refuse_the_second(notification_id):
        if taken:
            raise BrokerError("connection lost")
        taken.append(notification_id)

    monkeypatch.setattr(deliver_notification, "delay", refuse_the_second)
    assert notifications_dispatch_pending() == 1
    assert taken == [rows[0].pk]


# Delivering


def test_delivery_sends_the_email_and_marks_the_row_sent(queued, settings):
    row = enqueue()

    assert notification_deliver(row.pk) == "sent"

    [email] = mail.outbox
    assert email.to == ["citizen@example.vn"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.subject == "We received your request HD-2026-42"
    assert "Your tracking code: HD-2026-42" in email.body
    assert "The agency must answer by 29/06/2026" in email.body
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_a_second_delivery_of_a_sent_row_does_nothing(queued):
    row = enqueue()
    assert notification_deliver(row.pk) == "sent"
    assert notification_deliver(row.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert notification_deliver(row.pk + 1000) == "skipped"  # no such row


def test_failures_back_off_exponentially_then_the_row_is_marked_failed_and_kept(queued, broken_smtp, caplog):
    start = dt.datetime(2026, 6, 8, 9, 0, tzinfo=VN)
    delays = []
    with time_machine.travel(start, tick=False) as traveller:
        row = enqueue()
        for _attempt in range(7):
            assert notification_deliver(row.pk) == "retry"
            assert notification_deliver(row.pk) == "skipped"  # not due again yet
            row.refresh_from_db()
            delays.append((row.next_attempt_at - dt.datetime.now(tz=VN)) / dt.timedelta(minutes=1))
            traveller.move_to(row.next_attempt_at)

        with caplog.at_level(logging.ERROR):
            assert notification_deliver(row.pk) == "failed"

    assert delays == [1, 2, 4, 8, 16, 32, 60]  # doubling, at most an hour
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == ("failed", 8, None)
    assert row.last_error == "ConnectionRefusedError: SMTP server refused the connection"
    assert f"notification {row.pk} failed for good after 8 attempts" in caplog.text
    assert notification_deliver(row.pk) == "skipped"
    assert mail.outbox == []


def test_the_number_of_attempts_is_a_setting(queued, broken_smtp, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    row = enqueue()
    assert notification_deliver(row.pk) == "failed"


def test_a_template_error_is_retried_like_a_sending_error(queued):
    row = enqueue()
    Notification.objects.filter(pk=row.pk).update(template="renamed_since")
    assert notification_deliver(row.pk) == "retry"
    row.refresh_from_db()
    assert row.last_error.startswith("TemplateDoesNotExist: notifications/renamed_since.txt")


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_row_send_it_once(queued, monkeypatch):
    row = enqueue()
    sending, other_worker_done = threading.Event(), threading.Event()
    send = EmailBackend.send

    def send_slowly(self, **message):
        sending.set()  # worker A holds the row's lock here, mid-send
        assert other_worker_done.wait(timeout=10)
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
    outcomes.append(notification_deliver(row.pk))  # worker B, on this thread's own connection
    other_worker_done.set()
    thread.join(timeout=10)

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first_commits", "second_writes"), [(True, False), (False, True)])
def test_racing_writers_with_one_dedupe_key_write_one_row(queued, first_commits, second_writes):
    first_wrote, results = threading.Event(), []

    def first_writer(finish: threading.Event):
        try:
            with transaction.atomic():
                enqueue(dedupe_key="race")
                first_wrote.set()
                assert finish.wait(timeout=10)
                if not first_commits:
                    transaction.set_rollback(True)
        finally:
            connection.close()

    def second_writer():
        try:
            with transaction.atomic():
                results.append(enqueue(dedupe_key="race", recipient="second@example.vn"))
        finally:
            connection.close()

    finish = threading.Event()
    first = threading.Thread(target=first_writer, args=(finish,))
    first.start()
    assert first_wrote.wait(timeout=10)
    second = threading.Thread(target=second_writer)
    second.start()
    wait_until_a_backend_waits_for_a_lock()  # the second INSERT waits on the first's uncommitted key
    finish.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert (results[0] is not None) == second_writes
    assert Notification.objects.filter(dedupe_key="race").count() == 1
    expected = "second@example.vn" if second_writes else "citizen@example.vn"
    assert Notification.objects.get(dedupe_key="race").recipient == expected


def wait_until_a_backend_waits_for_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)  # polling for another thread, not standing in for time passing
    raise AssertionError("the second writer never waited for the first")


# Tasks and configuration


def test_the_tasks_call_the_services(queued):
    row = enqueue(dispatch=False)
    assert dispatch_pending_notifications() == 1
    assert deliver_notification(row.pk) == "sent"
    assert deliver_notification(row.pk) == "skipped"


def test_the_delivery_task_retries_while_the_database_is_unreachable(queued, monkeypatch):
    row = enqueue()
    calls = []

    def database_down_once(notification_id):
        calls.append(notification_id)
        if len(calls) == 1:
            raise OperationalError("connection to server at 127.0.0.1 failed")
        return notification_deliver(notification_id)

    monkeypatch.setattr(tasks, "notification_deliver", database_down_once)
    assert deliver_notification.apply(args=[row.pk]).get() == "sent"
    assert calls == [row.pk, row.pk]


def test_backends_are_chosen_per_channel_by_setting(queued, settings, caplog):
    settings.NOTIFICATION_BACKENDS = {"email": "caunoi.notifications.backends.LoggingBackend"}
    email, sms = enqueue(), enqueue(channel="sms", recipient="0912345678")

    with caplog.at_level(logging.INFO, logger="caunoi.notifications.backends"):
        assert notification_deliver(email.pk) == "sent"
        assert notification_deliver(sms.pk) == "sent"  # sms logs by default

    assert mail.outbox == []
    # Both were logged (the logging backend's whole job), with the recipients hidden (core/scrubbing.py).
    assert caplog.text.count("We received your request HD-2026-42") == 2
    assert "citizen@example.vn" not in caplog.text and "0912345678" not in caplog.text


def test_a_backend_that_does_not_import_stops_start_up(settings):
    assert check_notification_backends() == []
    settings.NOTIFICATION_BACKENDS = {"zalo": "caunoi.notifications.backends.ZaloGateway"}
    [error] = check_notification_backends()
    assert error.id == "notifications.E001"
    assert "caunoi.notifications.backends.ZaloGateway" in error.msg
