"""Following and "me too" through the API, for apps and partner portals: the same double opt-in and the same
once-per-person count as the pages, with field-level errors and the same limits."""

from __future__ import annotations

import uuid

import pytest
from caunoi.core.ratelimit import Limit
from caunoi.follows.models import Subscription, Support
from caunoi.notifications.models import Notification
from caunoi.publication.models import PublishedItem

from tests.conftest import api_as
from tests.support.publication import answered_case, published_item

pytestmark = pytest.mark.django_db


published = published_item


@pytest.mark.parametrize("target", ["item", "agency", "category"])
def test_following_by_api_sends_the_confirmation_and_follows_nothing_before_it(personas, api, target):
    item = published(personas)
    value = {"item": item.slug, "agency": item.agency.code, "category": item.category.slug}[target]
    response = api.post("/api/v1/follows/", {"email": "Ban@Example.org", target: value}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["email"] == "ban@example.org"
    assert "confirm" in response.json()["detail"].lower() or "xác nhận" in response.json()["detail"].lower()
    subscription = Subscription.objects.get(email="ban@example.org")
    assert subscription.target == target and subscription.confirmed_at is None
    assert Notification.objects.filter(template="follow_confirm", recipient="ban@example.org").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item": "x"}, "email"),
        ({"email": "not-an-address", "agency": "SO-NNMT-HN"}, "email"),
        ({"email": "a@example.org"}, "non_field_errors"),
        ({"email": "a@example.org", "agency": "SO-NNMT-HN", "category": "dat-dai"}, "non_field_errors"),
        ({"email": "a@example.org", "item": "no-such-answer"}, "item"),
        ({"email": "a@example.org", "agency": "NO-SUCH"}, "agency"),
        ({"email": "a@example.org", "agency": "SO-NNMT-HN", "frequency": "hourly"}, "frequency"),
        ({"email": "a@example.org", "agency": "SO-NNMT-HN", "target_id": 3}, "target_id"),
    ],
)
def test_bad_follow_requests_are_400_naming_the_field(personas, api, body, field):
    response = api.post("/api/v1/follows/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Subscription.objects.exists()


def test_an_unpublished_answer_cannot_be_followed(personas, api):
    item = PublishedItem.objects.get(case=answered_case(personas))  # pending review, not public
    response = api.post("/api/v1/follows/", {"email": "a@example.org", "item": item.slug}, format="json")
    assert response.status_code == 400 and "item" in response.json()


def test_me_too_by_api_counts_once_per_account(personas, api):
    item = published(personas)
    url = f"/api/v1/published/{item.slug}/support/"
    assert api.post(url).status_code == 401  # an account says who supports; the pages count browsers
    citizen = api_as(personas["citizen"])
    first = citizen.post(url)
    assert first.status_code == 200 and first.json() == {"added": True, "supporters": 1}
    again = citizen.post(url)
    assert again.json() == {"added": False, "supporters": 1}
    assert api_as(personas["official_a"]).post(url).json() == {"added": True, "supporters": 2}
    assert Support.objects.filter(item=item).count() == 2
    assert citizen.post("/api/v1/published/no-such-answer/support/").status_code == 404


def test_the_api_shares_the_pages_limits(personas, api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "follow": Limit(2, 3600)}
    item = published(personas)
    address = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}  # counters outlive a run
    for n in range(2):
        body = {"email": f"a{n}@example.org", "item": item.slug}
        assert api.post("/api/v1/follows/", body, format="json", **address).status_code == 202
    refused = api.post("/api/v1/follows/", {"email": "z@example.org", "item": item.slug}, format="json", **address)
    assert refused.status_code == 429 and "Retry-After" in refused


@pytest.mark.parametrize("role", ["citizen", "official_a", "official_b", "leader", "moderator", "admin"])
def test_every_role_with_an_account_may_say_me_too_once(personas, role):
    item = published(personas)
    client = api_as(personas[role])
    assert client.post(f"/api/v1/published/{item.slug}/support/").json()["added"] is True
    assert client.post(f"/api/v1/published/{item.slug}/support/").json()["added"] is False
