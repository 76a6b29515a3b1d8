"""Partner portals receive signed events when an item is published, corrected or unpublished; a slow or
broken receiver is retried with backoff and never holds up publishing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
import time_machine
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_correct, item_publish, item_unpublish
from caunoi.syndication import signing
from caunoi.syndication.models import Delivery, Subscription
from caunoi.syndication.services.webhooks import deliveries_dispatch_pending, delivery_attempt
from caunoi.syndication.tasks import deliver_webhook
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from tests.support.syndication import make_item, webhook_receiver

pytestmark = pytest.mark.django_db(transaction=False)

SECRET = "partner-shared-secret-0123456789"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"
    settings.SYNDICATION_TIMEOUT = 0.5
    settings.SYNDICATION_MAX_ATTEMPTS = 3


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Delivery ids handed to the broker (instead of the broker)."""
    ids: list[int] = []
    monkeypatch.setattr(deliver_webhook, "delay", ids.append)
    return ids


def subscribe(url: str, *, agencies=(), categories=(), kinds=(), active=True, name="Cổng TTĐT Chính phủ"):
    subscription = Subscription.objects.create(name=name, url=url, secret=SECRET, kinds=list(kinds), is_active=active)
    subscription.agencies.set(agencies)
    subscription.categories.set(categories)
    return subscription


def pending_item(**fields) -> PublishedItem:
    return make_item(status=Status.PENDING_REVIEW, published_at=None, **fields)


def publish(item: PublishedItem, moderator, callbacks) -> PublishedItem:
    with callbacks(execute=True):
        return item_publish(item=item, by=moderator)


def expected_signature(headers: dict[str, str], body: bytes) -> str:
    """What the partner computes, written out here rather than calling our signing module."""
    message = headers[signing.TIMESTAMP_HEADER.lower()].encode() + b"." + body
    return "sha256=" + hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


# Writing the outbox with the change


def test_publishing_writes_one_delivery_per_matching_subscription_and_queues_it_after_commit(
    reference_data, personas, queued, django_capture_on_commit_callbacks
):
    agencies, categories = reference_data["agencies"], reference_data["categories"]
    everything = subscribe("https://gov.example/hooks")
    same_agency = subscribe("https://hanoi.example/hooks", agencies=[agencies["SO-NNMT-HN"]], name="Hà Nội")
    other_agency = subscribe("https://edu.example/hooks", agencies=[agencies["BO-GDDT"]], name="Giáo dục")
    other_kind = subscribe("https://petitions.example/hooks", kinds=["petition"], name="Kiến nghị")
    category_match = subscribe("https://land.example/hooks", categories=[categories["dat-dai"]], name="Đất đai")
    province = subscribe("https://province.example/hooks", agencies=[agencies["UBND-HN"]], name="Tỉnh")
    subscribe("https://off.example/hooks", active=False, name="Switched off")
    item = pending_item()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_publish(item=item, by=personas["moderator"])
    rows = Delivery.objects.order_by("subscription__name")
    # The province's subscription covers the department below it.
    assert {row.subscription_id for row in rows} == {everything.pk, same_agency.pk, category_match.pk, province.pk}
    assert other_agency.pk not in {row.subscription_id for row in rows}
    assert other_kind.pk not in {row.subscription_id for row in rows}
    assert queued == []  # nothing leaves before the transaction commits

    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(row.pk for row in rows)
    row = rows.first()
    assert row.status == "pending" and row.event_type == "item.published" and row.item_slug == item.slug


def test_a_rolled_back_publication_leaves_no_delivery(reference_data, personas, queued):
    subscribe("https://gov.example/hooks")
    item = pending_item()

    with pytest.raises(RuntimeError), transaction.atomic():
        item_publish(item=item, by=personas["moderator"])
        raise RuntimeError("something later in the same transaction failed")

    assert not Delivery.objects.exists()
    assert PublishedItem.objects.get(pk=item.pk).status == Status.PENDING_REVIEW


def test_items_imported_from_another_portal_are_not_sent_on(reference_data, personas, queued):
    subscribe("https://gov.example/hooks")
    item = pending_item(origin_portal="other.example.vn", origin_id="hoi-dap-9")

    item_publish(item=item, by=personas["moderator"])

    assert not Delivery.objects.exists()


def test_correction_and_unpublishing_are_events_too_and_the_unpublished_text_does_not_travel(
    reference_data, personas, queued, django_capture_on_commit_callbacks
):
    subscribe("https://gov.example/hooks")
    item = publish(pending_item(), personas["moderator"], django_capture_on_commit_callbacks)

    item_correct(
        item=item, title=item.title, question=item.question, answer="Câu trả lời đã sửa.", reason="typo",
        by=personas["moderator"],
    )  # fmt: skip
    item_unpublish(item=item, reason="Lộ số điện thoại của người hỏi", by=personas["moderator"])

    events = [row.payload for row in Delivery.objects.order_by("id")]
    assert [event["type"] for event in events] == ["item.published", "item.corrected", "item.unpublished"]
    assert events[1]["item"]["answer"] == "Câu trả lời đã sửa."
    assert events[1]["revision"] == 2
    assert set(events[2]["item"]) == {"slug", "id", "url"}
    assert "Lộ số" not in json.dumps(events[2], ensure_ascii=False)


# Delivering: signed, retried, logged


def test_the_receiver_verifies_the_signature_over_timestamp_and_body(reference_data, personas, queued):
    with webhook_receiver() as receiver:
        subscribe(receiver.url)
        item = pending_item()
        item_publish(item=item, by=personas["moderator"])
        row = Delivery.objects.get()

        assert delivery_attempt(row.pk) == "delivered"

    [request] = receiver.requests
    assert request.path == "/hooks/caunoi"
    assert request.header(signing.SIGNATURE_HEADER) == expected_signature(request.headers, request.body)
    assert abs(int(request.header(signing.TIMESTAMP_HEADER)) - time.time()) < 60
    assert request.header(signing.EVENT_HEADER) == "item.published"
    assert request.header(signing.DELIVERY_HEADER) == str(row.event_id)
    assert request.header("Content-Type").startswith("application/json")
    assert SECRET not in json.dumps(request.headers) and SECRET.encode() not in request.body

    event = json.loads(request.body)
    assert event["id"] == str(row.event_id)
    assert event["type"] == "item.published"
    assert dt.datetime.fromisoformat(event["occurred_at"]) <= timezone.now()
    assert event["item"]["slug"] == item.slug
    assert event["item"]["url"].startswith("https://caunoi.example.gov.vn/")
    assert event["item"]["id"] == f"tag:caunoi.example.gov.vn,2026:published/{item.slug}"
    assert event["item"]["agency"]["code"] == "SO-NNMT-HN"
    assert event["item"]["category"]["slug"] == "dat-dai"
    assert event["item"]["question"] == item.question and event["item"]["answer"] == item.answer
    assert not any(key.startswith("source") for key in event["item"])

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert row.delivered_at is not None


def test_a_tampered_body_or_another_secret_does_not_verify():
    body = b'{"type":"item.published"}'
    good = signing.signature(secret=SECRET, timestamp=1_764_000_000, body=body)
    assert signing.verify(secret=SECRET, timestamp="1764000000", body=body, received=good, now=1_764_000_100)
    assert not signing.verify(secret=SECRET, timestamp="1764000000", body=body + b" ", received=good, now=1_764_000_100)
    assert not signing.verify(secret="another-secret-000000", timestamp="1764000000", body=body, received=good,
                              now=1_764_000_100)  # fmt: skip
    assert not signing.verify(secret=SECRET, timestamp="1764000000", body=body, received=good, now=1_764_009_999)
    assert not signing.verify(secret=SECRET, timestamp="soon", body=body, received=good, now=1_764_000_100)


def test_a_receiver_answering_500_is_retried_with_backoff_then_succeeds(reference_data, personas, queued):
    with webhook_receiver([500, 503]) as receiver:
        subscribe(receiver.url)
        item_publish(item=pending_item(), by=personas["moderator"])
        row = Delivery.objects.get()

        assert delivery_attempt(row.pk) == "retry"
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 500, "HTTP 500")
        first_wait = row.next_attempt_at - row.last_attempt_at
        assert first_wait == dt.timedelta(seconds=30)
        assert delivery_attempt(row.pk) == "skipped"  # not due yet
        assert len(receiver.requests) == 1

        with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1)):
            assert deliveries_dispatch_pending() == 1  # the periodic dispatcher finds it due
            assert delivery_attempt(row.pk) == "retry"
        row.refresh_from_db()
        assert row.last_status_code == 503
        assert row.next_attempt_at - row.last_attempt_at == 2 * first_wait  # exponential

        with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1)):
            assert delivery_attempt(row.pk) == "delivered"

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 3, 200, "")
    assert len(receiver.requests) == 3
    # Every attempt carries the same event id, so the partner can ignore repeats.
    assert len({r.header(signing.DELIVERY_HEADER) for r in receiver.requests}) == 1


def test_a_receiver_that_hangs_times_out_and_is_retried(reference_data, personas, queued):
    with webhook_receiver(["hang"], hang_seconds=2) as receiver:
        subscribe(receiver.url)
        item_publish(item=pending_item(), by=personas["moderator"])
        row = Delivery.objects.get()

        started = time.monotonic()
        assert delivery_attempt(row.pk) == "retry"
        assert time.monotonic() - started < 1.9  # the short timeout, not the receiver, decided

    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1
    assert row.last_status_code is None
    assert "timed out" in row.last_error


def test_a_delivery_that_keeps_failing_is_marked_failed_after_the_last_attempt(reference_data, personas, queued):
    with webhook_receiver([500, 500, 500, 500]) as receiver:
        subscribe(receiver.url)
        item_publish(item=pending_item(), by=personas["moderator"])
        row = Delivery.objects.get()
        outcomes = []
        for _ in range(3):
            row.refresh_from_db()
            with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1)):
                outcomes.append(delivery_attempt(row.pk))

    assert outcomes == ["retry", "retry", "failed"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, 500)
    assert len(receiver.requests) == 3


def test_an_unreachable_receiver_is_retried(reference_data, personas, queued):
    subscribe("http://127.0.0.1:9/hooks")  # the discard port: nothing listens
    item_publish(item=pending_item(), by=personas["moderator"])
    row = Delivery.objects.get()

    assert delivery_attempt(row.pk) == "retry"
    row.refresh_from_db()
    assert "refused" in row.last_error.lower() or "URLError" in row.last_error


def test_events_for_one_item_reach_a_partner_in_order(reference_data, personas, queued):
    with webhook_receiver([500]) as receiver:
        subscribe(receiver.url)
        item = item_publish(item=pending_item(), by=personas["moderator"])
        item_unpublish(item=item, reason="sai sót", by=personas["moderator"])
        published, unpublished = Delivery.objects.order_by("id")

        assert delivery_attempt(published.pk) == "retry"
        assert delivery_attempt(unpublished.pk) == "waiting"  # must not overtake the published event
        published.refresh_from_db()
        unpublished.refresh_from_db()
        assert unpublished.attempts == 0
        Delivery.objects.update(queued_until=None)  # as if their tasks were lost
        queued.clear()
        assert deliveries_dispatch_pending() == 0  # the retry is not due yet, and the later event waits for it
        with time_machine.travel(published.next_attempt_at + dt.timedelta(seconds=1)):
            assert deliveries_dispatch_pending() == 1 and queued == [published.pk]
            assert delivery_attempt(published.pk) == "delivered"
            assert queued == [published.pk, unpublished.pk]  # queued as soon as the earlier one is out
            assert delivery_attempt(unpublished.pk) == "delivered"

    assert [json.loads(r.body)["type"] for r in receiver.requests] == [
        "item.published", "item.published", "item.unpublished",
    ]  # fmt: skip


def test_a_switched_off_subscription_gets_nothing_more(reference_data, personas, queued):
    with webhook_receiver() as receiver:
        subscription = subscribe(receiver.url)
        item_publish(item=pending_item(), by=personas["moderator"])
        Subscription.objects.filter(pk=subscription.pk).update(is_active=False)

        assert delivery_attempt(Delivery.objects.get().pk) == "failed"

    assert receiver.requests == []
    assert Delivery.objects.get().last_error


def test_publishing_is_not_held_up_when_the_receiver_hangs_or_fails(
    reference_data, personas, monkeypatch, django_capture_on_commit_callbacks
):
    """Even with a worker that delivers at once (eager), publishing returns and stays published."""
    monkeypatch.setattr(deliver_webhook, "delay", lambda delivery_id: deliver_webhook.apply(args=[delivery_id]))
    with webhook_receiver(["hang", 500]) as receiver:
        subscribe(receiver.url, name="slow")
        subscribe(receiver.url, name="broken")
        item = pending_item()

        with django_capture_on_commit_callbacks(execute=True):
            published = item_publish(item=item, by=personas["moderator"])

    assert published.status == Status.PUBLISHED
    assert PublishedItem.objects.get(pk=item.pk).status == Status.PUBLISHED
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["pending", "pending"]
    assert len(receiver.requests) == 2


def test_publishing_succeeds_when_the_broker_is_down_and_the_dispatcher_sends_later(
    reference_data, personas, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(delivery_id):
        raise BrokerError("Redis is unreachable")

    monkeypatch.setattr(deliver_webhook, "delay", broker_down)
    subscribe("https://gov.example/hooks")
    item = pending_item()

    with django_capture_on_commit_callbacks(execute=True):
        item_publish(item=item, by=personas["moderator"])

    assert PublishedItem.objects.get(pk=item.pk).status == Status.PUBLISHED
    assert Delivery.objects.get().status == "pending"  # the periodic dispatcher will queue it
    queued: list[int] = []
    monkeypatch.setattr(deliver_webhook, "delay", queued.append)
    assert deliveries_dispatch_pending() == 1 and queued == [Delivery.objects.get().pk]


def test_the_periodic_dispatcher_is_scheduled_under_the_task_name_it_has(reference_data, personas, queued):
    from caunoi.config.celery import BEAT_SCHEDULE
    from caunoi.syndication.tasks import dispatch_pending_webhooks

    entry = BEAT_SCHEDULE["dispatch-pending-webhooks"]
    assert entry["task"] == dispatch_pending_webhooks.name
    subscribe("https://gov.example/hooks")
    item_publish(item=pending_item(), by=personas["moderator"])
    Delivery.objects.update(queued_until=None)  # its task after commit was lost
    assert dispatch_pending_webhooks.apply().get() == 1 and queued == [Delivery.objects.get().pk]
