"""Publishing an answer or announcing a dialogue writes a post per switched-on channel covering the agency,
in the same transaction, and queues it once that commits; an agency whose channel is off gets no post."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.dialogues.services import dialogue_schedule
from caunoi.portals.models import Portal
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_publish, item_unpublish
from caunoi.social.models import SocialChannel, SocialPost
from caunoi.social.services import post_attempt
from caunoi.social.tasks import send_social_post
from django.db import transaction

from tests.support.social import make_channel, platform_api
from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # The assertions read the English messages; the site's default language is Vietnamese.
    settings.LANGUAGE_CODE = "en"


VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Post ids handed to the broker (instead of the broker)."""
    ids: list[int] = []
    monkeypatch.setattr(send_social_post, "delay", ids.append)
    return ids


def pending_item(**fields) -> PublishedItem:
    return make_item(status=Status.PENDING_REVIEW, published_at=None, **fields)


def test_publishing_writes_posts_for_the_agency_and_those_above_it_and_queues_them_after_commit(
    reference_data, personas, queued, django_capture_on_commit_callbacks
):
    own = make_channel("facebook", agency="SO-NNMT-HN")
    city = make_channel("zalo", agency="UBND-HN")  # Hà Nội's page covers its departments
    make_channel("webhook", agency="BO-GDDT")  # another agency's
    make_channel("facebook", agency="SO-NNMT-HN", enabled=False, name="switched off")
    item = pending_item()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_publish(item=item, by=personas["moderator"])
    posts = SocialPost.objects.order_by("channel__platform")
    assert {post.channel_id for post in posts} == {own.pk, city.pk}
    assert queued == []  # nothing is sent before the publication commits

    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(post.pk for post in posts)
    post = posts.get(channel=own)
    assert (post.event, post.object_id, post.object_ref, post.status) == (
        "answer.published", item.pk, item.slug, "pending",
    )  # fmt: skip
    assert post.link == f"https://caunoi.example.gov.vn/hoi-dap/{item.slug}/"
    assert post.message == f"Sở Nông nghiệp và Môi trường Hà Nội answered a question from a citizen: {item.title}"


def test_an_item_of_a_component_sites_agency_links_to_that_site(reference_data, personas, queued, settings):
    settings.ALLOWED_HOSTS = [".gov.vn"]
    hanoi = Portal.objects.create(host="hanoi.gov.vn", name="Cổng Hà Nội", agency=reference_data["agencies"]["UBND-HN"])
    Portal.objects.create(host="gd.gov.vn", name="Bộ Giáo dục", agency=reference_data["agencies"]["BO-GDDT"])
    make_channel("facebook", agency="SO-NNMT-HN")  # a department below Hà Nội
    item = pending_item()

    item_publish(item=item, by=personas["moderator"])
    assert SocialPost.objects.get().link == f"https://{hanoi.host}/hoi-dap/{item.slug}/"


def test_an_agency_with_its_channel_off_gets_no_post(reference_data, personas, queued):
    make_channel("facebook", enabled=False)

    item_publish(item=pending_item(), by=personas["moderator"])

    assert not SocialPost.objects.exists()


def test_a_rolled_back_publication_leaves_no_post(reference_data, personas, queued):
    make_channel("facebook")

    with pytest.raises(RuntimeError), transaction.atomic():
        item_publish(item=pending_item(), by=personas["moderator"])
        raise RuntimeError("something later in the same transaction failed")

    assert not SocialPost.objects.exists()


def test_imported_items_are_not_posted(reference_data, personas, queued):
    make_channel("facebook")

    item_publish(item=pending_item(origin_portal="other.example.vn", origin_id="9"), by=personas["moderator"])

    assert not SocialPost.objects.exists()


def test_an_item_published_again_is_not_announced_twice(reference_data, personas, queued):
    make_channel("facebook")
    item = item_publish(item=pending_item(), by=personas["moderator"])
    SocialPost.objects.update(status=SocialPost.Status.SENT)

    item = item_unpublish(item=item, reason="Sai số điện thoại", by=personas["moderator"])
    item_publish(item=item, by=personas["moderator"])

    assert SocialPost.objects.count() == 1


def test_a_post_whose_channel_was_switched_off_before_sending_fails_unsent(reference_data, personas, queued):
    channel = make_channel("facebook")
    item_publish(item=pending_item(), by=personas["moderator"])
    channel.enabled = False
    channel.save()

    with platform_api(default=(200, {"id": "1"})) as graph:
        [post] = SocialPost.objects.all()
        assert post_attempt(post.pk) == "failed"
    assert graph.requests == []
    post.refresh_from_db()
    assert (post.status, post.last_error) == ("failed", "The channel is switched off.")


@time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=VN), tick=False)
def test_announcing_a_dialogue_posts_its_date_time_and_page(
    reference_data, personas, queued, django_capture_on_commit_callbacks
):
    city = make_channel("webhook", agency="UBND-HN")
    make_channel("facebook", agency="SO-NNMT-HN")  # a department's page is not told of the city's dialogue
    start = dt.datetime(2026, 12, 21, 9, tzinfo=VN)

    with django_capture_on_commit_callbacks(execute=True):
        dialogue = dialogue_schedule(
            by=personas["leader"],
            title="Đối thoại về giải phóng mặt bằng",
            description="Lãnh đạo thành phố gặp người dân.",
            agency=reference_data["agencies"]["UBND-HN"],
            hosts=[personas["leader"]],
            moderators=[personas["moderator"]],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )

    [post] = SocialPost.objects.all()
    assert queued == [post.pk]
    assert (post.channel_id, post.event, post.object_id) == (city.pk, "dialogue.announced", dialogue.pk)
    assert post.link == f"https://caunoi.example.gov.vn/dialogues/{dialogue.pk}/"
    assert post.message == (
        "Ủy ban nhân dân Thành phố Hà Nội will hold an online dialogue on 21/12/2026 at 09:00: "
        "Đối thoại về giải phóng mặt bằng"
    )

    with platform_api(default=(200, {})) as receiver:
        SocialChannel.objects.filter(pk=city.pk).update(url=f"{receiver.base_url}/hooks")
        assert post_attempt(post.pk) == "sent"
    [request] = receiver.requests
    assert request.header("X-CauNoi-Event") == "dialogue.announced"
    assert request.json()["link"] == post.link and request.json()["message"] == post.message


def test_a_template_saved_around_the_admin_check_falls_back_to_the_default_and_publishing_goes_on(
    reference_data, personas, queued
):
    channel = make_channel("facebook")
    SocialChannel.objects.filter(pk=channel.pk).update(answer_template="{% include 'missing.txt' %}")

    item = item_publish(item=pending_item(), by=personas["moderator"])

    assert item.status == Status.PUBLISHED
    [post] = SocialPost.objects.all()
    assert post.status == "pending"
    assert post.message == f"Sở Nông nghiệp và Môi trường Hà Nội answered a question from a citizen: {item.title}"
