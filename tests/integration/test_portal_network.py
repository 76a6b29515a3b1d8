"""The portal network: a partner's signed push verified and imported once with its provenance; partner feeds
pulled on schedule; progress, answers and satisfaction sent to the Government portal through the outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
import time_machine
from caunoi.config.celery import BEAT_SCHEDULE
from caunoi.publication.models import PublishedItem, Status
from caunoi.syndication import signing
from caunoi.syndication.models import (
    Delivery,
    EventType,
    GovSyncMessage,
    PartnerSource,
    ReceivedPush,
    Subscription,
)
from caunoi.syndication.services.govsync import gov_sync_attempt, gov_sync_collect
from caunoi.syndication.services.webhooks import deliveries_enqueue, delivery_attempt, encode_body
from caunoi.syndication.tasks import deliver_gov_sync, deliver_webhook, pull_partner_feeds
from django.db import transaction
from django.utils import timezone

from tests.support.syndication import make_item, static_site, webhook_receiver

SECRET = "quang-tri-shared-secret-0123456789"
PUSH = "/api/v1/network/push/tinh-qt/"


@pytest.fixture(autouse=True)
def _quiet_broker(monkeypatch):
    monkeypatch.setattr(deliver_webhook, "delay", lambda *a: None)
    monkeypatch.setattr(deliver_gov_sync, "delay", lambda *a: None)


def partner(**fields) -> PartnerSource:
    values = {"name": "Cổng TTĐT tỉnh Quảng Trị", "code": "tinh-qt", "portal_url": "https://quangtri.example.vn"}
    return PartnerSource.objects.create(**{**values, "push_secret": SECRET, **fields})


def signed(payload: dict, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    body = encode_body(payload)
    stamp = at or int(time.time())
    return {
        "data": body,
        "content_type": "application/json",
        f"HTTP_{signing.TIMESTAMP_HEADER.upper().replace('-', '_')}": str(stamp),
        f"HTTP_{signing.SIGNATURE_HEADER.upper().replace('-', '_')}": signing.signature(
            secret=secret, timestamp=stamp, body=body
        ),
    }


def event(slug: str = "hoi-dap-qt-1", *, type_: str = "item.published", event_id: str = "e-1") -> dict:
    return {
        "id": event_id,
        "type": type_,
        "occurred_at": "2026-12-01T10:00:00+07:00",
        "portal": "https://quangtri.example.vn",
        "item": {
            "slug": slug,
            "url": f"https://quangtri.example.vn/hoi-dap/{slug}/",
            "kind": "question",
            "title": "Thủ tục cấp giấy phép xây dựng nhà ở nông thôn",
            "question": "Nhà ở nông thôn hai tầng có cần giấy phép xây dựng không?",
            "answer": "Theo Luật Xây dựng, nhà ở riêng lẻ ở nông thôn không thuộc khu vực có quy hoạch được miễn phép.",
            "agency": {"code": "SXD-QT", "name": "Sở Xây dựng Quảng Trị"},
            "category": {"slug": "xay-dung", "name": "Xây dựng"},
            "published_at": "2026-12-01T10:00:00+07:00",
        },
    }


# Receiving pushes


@pytest.mark.django_db(transaction=True)
def test_our_own_signed_webhook_is_received_by_a_partner_receiver_once_with_provenance(live_server, reference_data):
    """The same event format and signature we send: our delivery code posts to our receiver."""
    partner(portal_url="https://quangtri.example.vn")
    subscription = Subscription.objects.create(name="Quảng Trị", url=f"{live_server.url}{PUSH}", secret=SECRET)
    local = make_item(slug="hoi-dap-goc")
    with transaction.atomic():
        [row] = deliveries_enqueue(item=local, event_type=EventType.PUBLISHED)

    first = delivery_attempt(row.pk)
    Delivery.objects.filter(pk=row.pk).update(status="pending", next_attempt_at=timezone.now())
    again = delivery_attempt(row.pk)  # a redelivery, same id

    assert (str(first), str(again)) == ("delivered", "delivered")
    copy = PublishedItem.objects.get(origin_portal="quangtri.example.vn")
    assert (copy.origin_id, copy.status, copy.question) == ("hoi-dap-goc", Status.PUBLISHED, local.question)
    assert copy.origin_url.endswith("hoi-dap-goc/")  # its page at the origin
    assert [(p.event_id, p.outcome) for p in ReceivedPush.objects.all()] == [(str(row.event_id), "created")]
    assert subscription.deliveries.get().status == "delivered"


@pytest.mark.django_db
def test_a_push_is_applied_once_and_an_unpublish_takes_the_copy_down(client, reference_data):
    partner()

    created = client.post(PUSH, **signed(event()))
    repeated = client.post(PUSH, **signed(event()))
    corrected = client.post(PUSH, **signed({**event(event_id="e-2"), "type": "item.corrected"}))
    removed = client.post(PUSH, **signed(event(type_="item.unpublished", event_id="e-3")))

    assert [r.json()["outcome"] for r in (created, repeated, corrected, removed)] == [
        "created", "duplicate", "unchanged", "unpublished",
    ]  # fmt: skip
    copy = PublishedItem.objects.get(origin_portal="quangtri.example.vn", origin_id="hoi-dap-qt-1")
    assert copy.status == Status.UNPUBLISHED
    assert copy.origin_agency_name == "Sở Xây dựng Quảng Trị"
    assert copy.origin_url == "https://quangtri.example.vn/hoi-dap/hoi-dap-qt-1/"


@pytest.mark.django_db
@pytest.mark.parametrize("problem", ["wrong secret", "stale", "unsigned", "unknown source"])
def test_a_push_that_is_not_from_the_partner_is_refused(client, reference_data, problem):
    partner()
    request = {
        "wrong secret": signed(event(), secret="x" * 32),
        "stale": signed(event(), at=int(time.time()) - 3600),
        "unsigned": {"data": encode_body(event()), "content_type": "application/json"},
        "unknown source": signed(event()),
    }[problem]
    path = "/api/v1/network/push/khong-co/" if problem == "unknown source" else PUSH

    response = client.post(path, **request)

    assert response.status_code == (404 if problem == "unknown source" else 401)
    assert "detail" in response.json()
    assert not PublishedItem.objects.filter(origin_portal="quangtri.example.vn").exists()


@pytest.mark.django_db
def test_a_signed_body_that_is_not_an_event_is_400(client, reference_data):
    partner()

    response = client.post(PUSH, **signed({"hello": "world"}))

    assert response.status_code == 400
    assert not ReceivedPush.objects.exists()


# Pulling feeds on schedule


def api_page(slug: str) -> bytes:
    item = {**event(slug)["item"], "slug": slug}
    return json.dumps({"count": 1, "next": None, "results": [item]}).encode()


@pytest.mark.django_db
def test_partner_feeds_are_pulled_by_the_beat_task_on_their_schedule(reference_data):
    assert BEAT_SCHEDULE["pull-partner-feeds"]["task"] == "caunoi.syndication.tasks.pull_partner_feeds"
    slugs = ["tin-1"]
    pages = {"/api/v1/published/": ("application/json", lambda: api_page(slugs[0]))}
    with static_site(pages) as base:
        source = partner(feed_url=f"{base}/api/v1/published/", feed_format="json", pull_every_minutes=60)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            assert pull_partner_feeds() == 1
            assert pull_partner_feeds() == 0  # not due again yet
        slugs[0] = "tin-2"
        with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
            assert pull_partner_feeds() == 1

    copies = set(PublishedItem.objects.filter(origin_portal="quangtri.example.vn").values_list("origin_id", flat=True))
    assert copies == {"tin-1", "tin-2"}  # kept under the partner's portal, as its pushes are
    source.refresh_from_db()
    assert source.last_pull_result.startswith("1 created") and source.last_pull_error == ""


@pytest.mark.django_db
def test_an_unreadable_feed_is_recorded_not_raised(reference_data):
    with static_site({}) as base:
        source = partner(feed_url=f"{base}/nothing.atom")
        assert pull_partner_feeds() == 1
    source.refresh_from_db()
    assert "404" in source.last_pull_error


# The Government portal


@pytest.mark.django_db
def test_progress_answers_and_satisfaction_reach_the_government_portal_signed_and_in_order(settings, personas):
    from caunoi.cases.services import case_rate

    from tests.support.publication import answered_case

    case = answered_case(personas)
    case_rate(case=case, score=4, comment="Trả lời rõ ràng, cảm ơn ông Nguyễn Văn An")
    with webhook_receiver([500]) as receiver:
        settings.GOV_PORTAL_SYNC_URL = receiver.url
        settings.GOV_PORTAL_SYNC_SECRET = SECRET
        collected = gov_sync_collect()
        assert gov_sync_collect() == 0  # one message per event, however often it runs
        messages = list(GovSyncMessage.objects.order_by("id"))
        results = [gov_sync_attempt(m.pk) for m in messages]
        GovSyncMessage.objects.filter(status="pending").update(next_attempt_at=timezone.now())
        results += [gov_sync_attempt(m.pk) for m in messages if m.pk == messages[0].pk]
        results += [gov_sync_attempt(m.pk) for m in messages[1:]]

    assert collected == len(messages) >= 4
    assert results[0] == "retry"  # the receiver's 500: tried again after a backoff
    assert set(GovSyncMessage.objects.values_list("status", flat=True)) == {"delivered"}
    bodies = [json.loads(r.body) for r in receiver.requests[1:]]
    for request in receiver.requests:
        stamp = request.header(signing.TIMESTAMP_HEADER).encode()
        expected = "sha256=" + hmac.new(SECRET.encode(), stamp + b"." + request.body, hashlib.sha256).hexdigest()
        assert request.header(signing.SIGNATURE_HEADER) == expected
    assert {b["schema"] for b in bodies} == {"caunoi.gov-sync/1"}
    kinds = [b["kind"] for b in bodies]
    assert kinds[0] == "progress" and "answer" in kinds and kinds[-1] == "satisfaction"
    answer = next(b for b in bodies if b["kind"] == "answer")["answer"]
    assert answer["on_time"] is True
    assert bodies[-1]["satisfaction"] == {"score": 4, "scale": 5}
    everything = json.dumps(bodies, ensure_ascii=False)
    assert case.contact_name not in everything and case.contact_email not in everything
    assert "cảm ơn" not in everything  # the citizen's comment stays here


@pytest.mark.django_db
def test_nothing_is_collected_while_no_government_portal_is_configured(settings, personas):
    from tests.support.publication import answered_case

    settings.GOV_PORTAL_SYNC_URL = ""
    answered_case(personas)

    assert gov_sync_collect() == 0
    assert not GovSyncMessage.objects.exists()
