"""A post that fails for a passing reason is tried again with a growing wait, up to SOCIAL_MAX_ATTEMPTS;
the periodic dispatcher picks up due retries and posts whose dispatch was lost; a broker outage never
fails publishing."""

from __future__ import annotations

import datetime as dt

import pytest
from caunoi.publication.models import Status
from caunoi.publication.services import item_publish
from caunoi.social.models import SocialPost
from caunoi.social.services import post_attempt, posts_dispatch_pending, retry_delay
from caunoi.social.tasks import dispatch_pending_social_posts, send_social_post
from kombu.exceptions import OperationalError as BrokerError

from tests.support.social import make_channel, platform_api
from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SOCIAL_TIMEOUT = 2
    settings.SOCIAL_MAX_ATTEMPTS = 3


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(send_social_post, "delay", ids.append)
    return ids


def published(personas):
    return item_publish(item=make_item(status=Status.PENDING_REVIEW, published_at=None), by=personas["moderator"])


def test_the_wait_doubles_from_a_minute_up_to_two_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(30) == dt.timedelta(hours=2)


def test_retries_until_success(settings, reference_data, personas, queued, time_machine):
    with platform_api(default=(200, {"id": "page_7"}), answers=[(503, {}), (500, {})]) as graph:
        settings.SOCIAL_FACEBOOK_GRAPH_URL = graph.base_url
        make_channel("facebook")
        published(personas)
        [post] = SocialPost.objects.all()

        assert post_attempt(post.pk) == "retry"
        post.refresh_from_db()
        first_wait = post.next_attempt_at - post.last_attempt_at
        assert post_attempt(post.pk) == "skipped"  # not due yet
        time_machine.move_to(post.next_attempt_at)
        assert post_attempt(post.pk) == "retry"
        post.refresh_from_db()
        assert post.next_attempt_at - post.last_attempt_at == 2 * first_wait
        time_machine.move_to(post.next_attempt_at)
        assert post_attempt(post.pk) == "sent"

    assert len(graph.requests) == 3
    post.refresh_from_db()
    assert (post.status, post.attempts, post.external_id) == ("sent", 3, "page_7")


def test_the_last_allowed_attempt_marks_the_post_failed(settings, reference_data, personas, queued, time_machine):
    with platform_api(default=(500, {})) as graph:
        settings.SOCIAL_FACEBOOK_GRAPH_URL = graph.base_url
        make_channel("facebook")
        published(personas)
        [post] = SocialPost.objects.all()
        outcomes = []
        for _ in range(3):
            outcomes.append(post_attempt(post.pk))
            post.refresh_from_db()
            time_machine.move_to(post.next_attempt_at)
        assert post_attempt(post.pk) == "skipped"

    assert outcomes == ["retry", "retry", "failed"]
    assert (post.status, post.attempts, post.last_error) == ("failed", 3, "HTTP 500")
    assert len(graph.requests) == 3


def test_the_periodic_dispatcher_queues_due_posts_only(reference_data, personas, queued, time_machine):
    make_channel("facebook")
    make_channel("webhook")
    published(personas)
    first, second = SocialPost.objects.order_by("pk")
    SocialPost.objects.filter(pk=second.pk).update(next_attempt_at=second.next_attempt_at + dt.timedelta(hours=1))
    SocialPost.objects.update(queued_until=None)  # their tasks after commit were lost
    queued.clear()

    assert dispatch_pending_social_posts() == 1
    assert queued == [first.pk]


def test_a_broker_outage_does_not_fail_publishing(
    reference_data, personas, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(post_id: int) -> None:
        raise BrokerError("Redis is down")

    monkeypatch.setattr(send_social_post, "delay", refuse)
    make_channel("facebook")

    with django_capture_on_commit_callbacks(execute=True):
        item = published(personas)

    assert item.status == Status.PUBLISHED
    [post] = SocialPost.objects.all()
    assert post.status == "pending"  # the periodic dispatcher will queue it
    monkeypatch.setattr(send_social_post, "delay", lambda post_id: None)
    assert posts_dispatch_pending() == 1


def test_the_periodic_dispatcher_is_scheduled_under_the_task_name_it_has(reference_data, personas, queued):
    from caunoi.config.celery import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["dispatch-pending-social-posts"]
    assert entry["task"] == dispatch_pending_social_posts.name
    make_channel("facebook")
    published(personas)
    SocialPost.objects.update(queued_until=None)  # its task after commit was lost
    queued.clear()
    assert dispatch_pending_social_posts.apply().get() == 1 and queued == [SocialPost.objects.get().pk]
