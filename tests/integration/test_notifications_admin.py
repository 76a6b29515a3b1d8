"""Administrators read the outbox and send failed messages again; nobody edits or deletes it."""

from __future__ import annotations

import datetime as dt

import pytest
from caunoi.accounts.models import User
from caunoi.notifications.models import Notification
from caunoi.notifications.services import notification_deliver, notification_enqueue
from caunoi.notifications.tasks import deliver_notification
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"
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


@pytest.fixture
def outbox(queued) -> dict[str, Notification]:
    """A failed row (out of attempts), a pending row waiting for its backoff, and a sent row."""
    rows = {}
    for name in ("failed", "waiting", "sent"):
        rows[name] = notification_enqueue(
            channel="email",
            recipient=f"{name}@example.vn",
            template="case_received",
            context=CONTEXT,
            language="en",
        )
    later = timezone.now() + dt.timedelta(minutes=30)
    Notification.objects.filter(pk=rows["failed"].pk).update(status="failed", attempts=8, last_error="SMTP down")
    Notification.objects.filter(pk=rows["waiting"].pk).update(attempts=3, next_attempt_at=later)
    Notification.objects.filter(pk=rows["sent"].pk).update(status="sent", attempts=1, sent_at=timezone.now())
    queued.clear()
    return rows


def retry_now(client: Client, rows: list[Notification]):
    data = {"action": "retry_now", "_selected_action": [row.pk for row in rows]}
    return client.post(CHANGELIST, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")


def test_retry_now_requeues_failed_and_waiting_rows_and_leaves_sent_ones(
    admin_client, outbox, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = retry_now(admin_client, list(outbox.values()))

    assert "2 notifications queued for delivery now." in response.content.decode()
    assert sorted(queued) == sorted([outbox["failed"].pk, outbox["waiting"].pk])
    statuses = dict(Notification.objects.values_list("recipient", "status"))
    assert statuses == {"failed@example.vn": "pending", "waiting@example.vn": "pending", "sent@example.vn": "sent"}
    assert not Notification.objects.filter(status="pending", next_attempt_at__gt=timezone.now()).exists()

    # The failed row gets one more attempt; its history stays.
    assert notification_deliver(outbox["failed"].pk) == "sent"
    assert Notification.objects.get(pk=outbox["failed"].pk).attempts == 9
    assert [email.to for email in mail.outbox] == [["failed@example.vn"]]


def test_the_outbox_can_be_read_searched_and_filtered_but_not_added_to_edited_or_deleted(admin_client, outbox):
    row = outbox["failed"]

    listing = admin_client.get(CHANGELIST, {"q": "failed@example.vn", "status": "failed"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [row]

    page = admin_client.get(f"{CHANGELIST}{row.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "We received your request HD-2026-42" in content  # the rendered message, for the admin to read
    assert 'name="_save"' not in content

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{row.pk}/delete/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{row.pk}/change/", {"recipient": "x@example.vn"}).status_code == 403


def test_staff_who_may_only_view_the_outbox_cannot_retry(outbox, queued, django_capture_on_commit_callbacks):
    viewer = User.objects.create_user(username="viewer", password="correct horse 42", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client = Client()
    client.force_login(viewer)

    assert client.get(CHANGELIST).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        retry_now(client, [outbox["failed"]])

    assert queued == []
    assert Notification.objects.get(pk=outbox["failed"].pk).status == "failed"
