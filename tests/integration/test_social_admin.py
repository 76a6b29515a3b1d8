"""Administrators manage social channels (credentials write-only, templates checked) and read, filter and
retry the post log; failures are visible with their error. Nobody else opens these pages."""

from __future__ import annotations

import pytest
from caunoi.accounts.models import User
from caunoi.social.models import SocialChannel, SocialPost
from caunoi.social.services import post_attempt, posts_enqueue_for_item
from caunoi.social.tasks import send_social_post
from django.contrib.auth.models import Permission
from django.test import Client

from tests.support.social import PAGE_TOKEN, make_channel, platform_api
from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db

CHANNELS = "/admin/social/socialchannel/"
POSTS = "/admin/social/socialpost/"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(send_social_post, "delay", ids.append)
    return ids


def form(agency, **changes) -> dict[str, object]:
    return {
        "name": "Trang Facebook Sở NN&MT Hà Nội", "agency": agency.pk, "platform": "facebook", "enabled": "on",
        "page_id": "104729384756", "url": "", "cover_url": "", "secret": PAGE_TOKEN,
        "answer_template": "{{ agency }}: {{ title }}", "dialogue_template": "{{ title }} {{ date }}", **changes,
    }  # fmt: skip


def test_an_administrator_adds_a_channel(admin_client, reference_data):
    agency = reference_data["agencies"]["SO-NNMT-HN"]

    response = admin_client.post(f"{CHANNELS}add/", form(agency))

    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = SocialChannel.objects.get()
    assert (channel.agency, channel.platform, channel.secret, channel.enabled) == (agency, "facebook", PAGE_TOKEN, True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"page_id": ""}, "page_id", "Enter the Facebook page id."),
        ({"platform": "zalo"}, "cover_url", "Zalo articles need a cover picture"),
        ({"platform": "webhook"}, "url", "Enter the receiver address."),
        ({"platform": "webhook", "url": "https://hooks.example.gov.vn/in", "secret": "short"}, "secret", "at least 16"),
        ({"platform": "webhook", "url": "ftp://hooks.example.gov.vn/in"}, "url", "starting with https://"),
        ({"platform": "webhook", "url": "not an address"}, "url", "Enter a valid URL."),
        ({"secret": ""}, "secret", "Enter the access token or shared secret."),
        ({"answer_template": "{{ title }} {{ phone }}"}, "answer_template", "Unknown variable: phone."),
        ({"dialogue_template": "{% if title %}"}, "dialogue_template", "The template has a syntax error"),
        ({"platform": "myspace"}, "platform", "Select a valid choice."),
    ],
)
def test_bad_channel_input_is_a_form_error_on_its_field(admin_client, reference_data, changes, field, message):
    agency = reference_data["agencies"]["SO-NNMT-HN"]

    response = admin_client.post(f"{CHANNELS}add/", form(agency, **changes), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]), errors
    assert not SocialChannel.objects.exists()


def test_the_credential_is_never_shown_again_and_an_empty_field_keeps_it(admin_client, reference_data):
    channel = make_channel("facebook")

    page = admin_client.get(f"{CHANNELS}{channel.pk}/change/")
    assert page.status_code == 200 and PAGE_TOKEN not in page.content.decode()

    changed = form(channel.agency, secret="", name="Renamed", enabled="")
    response = admin_client.post(f"{CHANNELS}{channel.pk}/change/", changed)
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.secret, channel.enabled) == ("Renamed", PAGE_TOKEN, False)


@pytest.fixture
def log(settings, reference_data, queued) -> dict[str, SocialPost]:
    """A sent Facebook post and a Zalo post that failed for good (the OA token expired)."""
    with (
        platform_api(default=(200, {"id": "104729384756_1"})) as graph,
        platform_api(default=(200, {"error": -216, "message": "Access token is invalid"})) as zalo,
    ):
        settings.SOCIAL_FACEBOOK_GRAPH_URL = graph.base_url
        settings.SOCIAL_ZALO_API_URL = zalo.base_url
        make_channel("facebook")
        make_channel("zalo", agency="UBND-HN")
        posts_enqueue_for_item(item=make_item())
        sent = SocialPost.objects.get(channel__platform="facebook")
        failed = SocialPost.objects.get(channel__platform="zalo")
        assert post_attempt(sent.pk) == "sent"
        assert post_attempt(failed.pk) == "failed"
    queued.clear()
    return {"sent": sent, "failed": failed}


def test_the_post_log_is_filtered_by_status_and_platform_and_shows_the_error(admin_client, log):
    failed = admin_client.get(POSTS, {"status": "failed"})
    assert failed.status_code == 200
    assert list(failed.context["cl"].result_list) == [log["failed"]]
    assert "Zalo error -216: Access token is invalid" in failed.content.decode()  # in the list, not only the page

    facebook = admin_client.get(POSTS, {"channel__platform": "facebook"})
    assert list(facebook.context["cl"].result_list) == [log["sent"]]

    page = admin_client.get(f"{POSTS}{log['failed'].pk}/change/").content.decode()
    assert "Access token is invalid" in page and "zalo-oa-access-token" not in page

    channels = admin_client.get(CHANNELS).content.decode()
    assert f'?channel__id__exact={log["failed"].channel_id}&amp;status=failed">1</a>' in channels

    assert admin_client.get(f"{POSTS}add/").status_code == 403
    assert admin_client.get(f"{POSTS}{log['failed'].pk}/delete/").status_code == 403


def test_retry_now_requeues_failed_posts_and_leaves_sent_ones(
    admin_client, log, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            POSTS,
            {"action": "retry_now", "_selected_action": [log["failed"].pk, log["sent"].pk]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert "1 post queued to be sent now." in response.content.decode()
    assert queued == [log["failed"].pk]
    assert SocialPost.objects.get(pk=log["failed"].pk).status == "pending"
    assert SocialPost.objects.get(pk=log["sent"].pk).status == "sent"


def test_staff_who_may_only_view_the_log_cannot_retry(log, queued, django_capture_on_commit_callbacks):
    viewer = User.objects.create_user(username="viewer", password="correct horse 42", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_socialpost"))
    client = Client()
    client.force_login(viewer)

    assert client.get(POSTS).status_code == 200
    assert client.get(CHANNELS).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client.post(POSTS, {"action": "retry_now", "_selected_action": [log["failed"].pk]})

    assert queued == []
    assert SocialPost.objects.get(pk=log["failed"].pk).status == "failed"


@pytest.mark.parametrize("persona", ["citizen", "official_a", "official_b", "leader", "moderator", "admin"])
def test_portal_roles_without_staff_access_cannot_open_the_social_admin(personas, persona):
    client = Client()
    client.force_login(personas[persona])
    for page in (CHANNELS, POSTS):
        response = client.get(page)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_the_login_page(web):
    for page in (CHANNELS, POSTS):
        response = web.get(page)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
