"""Each connector sends the request its platform's API expects (checked by a stand-in for the platform on
loopback) and reads the platform's success and error answers: the post id is kept, temporary errors are
retried, permanent ones fail at once with the error shown and the credential never stored."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from caunoi.social.models import SocialPost
from caunoi.social.services import post_attempt, posts_enqueue_for_item
from caunoi.social.tasks import send_social_post

from tests.support.social import OA_TOKEN, PAGE_TOKEN, WEBHOOK_SECRET, make_channel, platform_api
from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # The assertions read the English messages; the site's default language is Vietnamese.
    settings.LANGUAGE_CODE = "en"


TITLE = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu"


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch):
    settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"
    settings.SOCIAL_TIMEOUT = 2
    settings.SOCIAL_MAX_ATTEMPTS = 3
    settings.SOCIAL_FACEBOOK_GRAPH_VERSION = "v23.0"
    monkeypatch.setattr(send_social_post, "delay", lambda post_id: None)  # sent by the test, not the broker


def queue_post(channel) -> SocialPost:
    item = make_item(title=TITLE, slug="cap-so-do-lan-dau")
    [post] = posts_enqueue_for_item(item=item)
    assert post.channel_id == channel.pk
    return post


# Facebook Graph API


def test_facebook_posts_the_message_and_link_to_the_page_feed_as_a_form(settings, reference_data):
    with platform_api(default=(200, {"id": "104729384756_998877"})) as graph:
        settings.SOCIAL_FACEBOOK_GRAPH_URL = graph.base_url
        channel = make_channel("facebook", answer_template="{{ agency }} trả lời: {{ title }}")
        post = queue_post(channel)

        assert post_attempt(post.pk) == "sent"

    [request] = graph.requests
    assert request.method == "POST"
    assert request.path == "/v23.0/104729384756/feed"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.form() == {
        "message": f"Sở Nông nghiệp và Môi trường Hà Nội trả lời: {TITLE}",
        "link": "https://caunoi.example.gov.vn/hoi-dap/cap-so-do-lan-dau/",
        "access_token": PAGE_TOKEN,
    }
    assert PAGE_TOKEN not in request.path  # in the body, not in URLs that proxies log
    post.refresh_from_db()
    assert (post.status, post.external_id, post.attempts) == ("sent", "104729384756_998877", 1)


def test_facebook_expired_token_fails_at_once_with_the_graph_error_and_no_token(settings, reference_data):
    expired = {
        "error": {
            "message": f"Error validating access token: Session has expired (token {PAGE_TOKEN}).",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "AbCdEf",
        }
    }
    with platform_api(default=(400, expired)) as graph:
        settings.SOCIAL_FACEBOOK_GRAPH_URL = graph.base_url
        post = queue_post(make_channel("facebook"))

        assert post_attempt(post.pk) == "failed"

    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_status_code) == ("failed", 1, 400)
    assert "Graph API error 190: Error validating access token" in post.last_error
    assert PAGE_TOKEN not in post.last_error


def test_facebook_rate_limit_is_retried_then_posted(settings, reference_data, time_machine):
    throttled = {"error": {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32}}
    with platform_api(default=(200, {"id": "104729384756_1"}), answers=[(400, throttled)]) as graph:
        settings.SOCIAL_FACEBOOK_GRAPH_URL = graph.base_url
        post = queue_post(make_channel("facebook"))

        assert post_attempt(post.pk) == "retry"
        post.refresh_from_db()
        assert post.status == "pending" and "Page request limit reached" in post.last_error
        time_machine.move_to(post.next_attempt_at)
        assert post_attempt(post.pk) == "sent"

    assert len(graph.requests) == 2
    post.refresh_from_db()
    assert (post.status, post.attempts, post.external_id, post.last_error) == ("sent", 2, "104729384756_1", "")


# Zalo Official Account API


def test_zalo_creates_an_article_with_the_token_in_a_header(settings, reference_data):
    created = {"error": 0, "message": "Success", "data": {"token": "ec8b1b5e-7c1a-4b2e-a1d0-5f0e9c7a2b10"}}
    with platform_api(default=(200, created)) as zalo:
        settings.SOCIAL_ZALO_API_URL = zalo.base_url
        channel = make_channel("zalo", answer_template="{{ title }} ({{ agency }})")
        post = queue_post(channel)

        assert post_attempt(post.pk) == "sent"

    [request] = zalo.requests
    assert (request.method, request.path) == ("POST", "/v2.0/article/create")
    assert request.header("access_token") == OA_TOKEN
    assert request.header("Content-Type").startswith("application/json")
    message = f"{TITLE} (Sở Nông nghiệp và Môi trường Hà Nội)"
    assert request.json() == {
        "type": "normal",
        "title": TITLE,
        "author": "Sở Nông nghiệp và Môi trường Hà Nội",
        "description": message,
        "cover": {"cover_type": "photo", "photo_url": channel.cover_url, "status": "show"},
        "body": [
            {"type": "text", "content": message},
            {"type": "text", "content": "https://caunoi.example.gov.vn/hoi-dap/cap-so-do-lan-dau/"},
        ],
        "status": "show",
        "comment": "show",
    }
    assert OA_TOKEN not in request.body.decode()
    post.refresh_from_db()
    assert (post.status, post.external_id) == ("sent", "ec8b1b5e-7c1a-4b2e-a1d0-5f0e9c7a2b10")


def test_zalo_error_code_in_a_200_answer_is_a_failure(settings, reference_data):
    with platform_api(default=(200, {"error": -216, "message": "Access token is invalid"})) as zalo:
        settings.SOCIAL_ZALO_API_URL = zalo.base_url
        post = queue_post(make_channel("zalo"))

        assert post_attempt(post.pk) == "failed"

    post.refresh_from_db()
    assert (post.status, post.attempts, post.external_id) == ("failed", 1, "")
    assert post.last_error == "Zalo error -216: Access token is invalid"


def test_zalo_rate_limit_and_server_errors_are_retried(settings, reference_data, time_machine):
    answers = [(200, {"error": -32, "message": "Exceeded the limit of requests per minute"}), (502, {})]
    created = {"error": 0, "message": "Success", "data": {"token": "t-1"}}
    with platform_api(default=(200, created), answers=answers) as zalo:
        settings.SOCIAL_ZALO_API_URL = zalo.base_url
        post = queue_post(make_channel("zalo"))

        assert post_attempt(post.pk) == "retry"
        post.refresh_from_db()
        time_machine.move_to(post.next_attempt_at)
        assert post_attempt(post.pk) == "retry"
        post.refresh_from_db()
        assert (post.last_status_code, post.last_error) == (502, "HTTP 502")
        time_machine.move_to(post.next_attempt_at)
        assert post_attempt(post.pk) == "sent"

    assert len(zalo.requests) == 3


# Generic webhook


def test_webhook_posts_signed_json(settings, reference_data):
    with platform_api(default=(202, {"id": "receiver-42"})) as receiver:
        channel = make_channel("webhook", url=f"{receiver.base_url}/hooks/caunoi")
        post = queue_post(channel)

        assert post_attempt(post.pk) == "sent"

    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/hooks/caunoi")
    assert request.header("Content-Type") == "application/json; charset=utf-8"
    assert request.header("X-CauNoi-Event") == "answer.published"
    assert request.header("X-CauNoi-Delivery") == str(post.delivery_id)
    # What the receiver computes, written out here rather than calling our signing module.
    signed = request.header("X-CauNoi-Timestamp").encode() + b"." + request.body
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert request.header("X-CauNoi-Signature") == expected
    assert json.loads(request.body) == {
        "id": str(post.delivery_id),
        "type": "answer.published",
        "title": TITLE,
        "message": f"Sở Nông nghiệp và Môi trường Hà Nội answered a question from a citizen: {TITLE}",
        "link": "https://caunoi.example.gov.vn/hoi-dap/cap-so-do-lan-dau/",
        "agency": {"code": "SO-NNMT-HN", "name": "Sở Nông nghiệp và Môi trường Hà Nội"},
    }
    post.refresh_from_db()
    assert (post.status, post.external_id) == ("sent", "receiver-42")


@pytest.mark.parametrize(("status", "outcome"), [(500, "retry"), (429, "retry"), (410, "failed"), (401, "failed")])
def test_webhook_statuses(settings, reference_data, status, outcome):
    with platform_api(default=(status, {"detail": "no"})) as receiver:
        post = queue_post(make_channel("webhook", url=f"{receiver.base_url}/hooks"))

        assert post_attempt(post.pk) == outcome

    post.refresh_from_db()
    assert post.status == ("pending" if outcome == "retry" else "failed")
    assert (post.last_status_code, post.last_error) == (status, f"HTTP {status}")


def test_an_unreachable_platform_is_retried(settings, reference_data):
    post = queue_post(make_channel("webhook", url="http://127.0.0.1:9/hooks"))  # discard port: refused

    assert post_attempt(post.pk) == "retry"

    post.refresh_from_db()
    assert post.status == "pending" and post.last_status_code is None
    assert "ConnectionRefusedError" in post.last_error and WEBHOOK_SECRET not in post.last_error
