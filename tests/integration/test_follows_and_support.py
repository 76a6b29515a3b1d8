"""Following by e-mail (double opt-in, one-click unsubscribe, at once or daily) and "me too" on published
answers, counted once per person; leaders see what most people support."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import time_machine
from caunoi.cases.services import case_claim, case_request_info
from caunoi.core.ratelimit import Limit
from caunoi.follows.models import Subscription, Support
from caunoi.follows.services import follow_digests_send
from caunoi.notifications.models import Notification
from caunoi.notifications.services import notification_deliver
from django.core import mail as django_mail
from django.test import Client

from tests.support.cases import submit_case
from tests.support.publication import published_item

pytestmark = pytest.mark.django_db


published = published_item


def link(notification: Notification, key: str) -> str:
    return re.sub(r"^https?://[^/]+", "", notification.context[key])


def test_following_an_agency_needs_confirmation_and_stops_with_one_click(personas, web, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = published(personas)
    agency_id = first.agency_id

    response = web.post("/follow/", {"email": "Ban@Example.org", "target": "agency", "target_id": agency_id})
    assert response.status_code == 200
    confirm = Notification.objects.get(template="follow_confirm", recipient="ban@example.org")
    published(personas)
    assert not Notification.objects.filter(template="follow_item").exists()  # nothing before confirmation

    assert web.get(link(confirm, "confirm_url")).status_code == 200
    third = published(personas)
    news = Notification.objects.get(template="follow_item")
    assert news.recipient == "ban@example.org"
    assert news.context["title"] == third.title
    assert news.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notification_deliver(news.pk) == "sent"
    sent = django_mail.outbox[-1]
    unsubscribe = sent.extra_headers["List-Unsubscribe"].strip("<>")

    # RFC 8058: the mail client POSTs to the link with no session and no form token.
    client = Client(enforce_csrf_checks=True)
    assert client.post(re.sub(r"^https?://[^/]+", "", unsubscribe)).status_code == 200
    assert Subscription.objects.get().ended_at is not None
    published(personas)
    assert Notification.objects.filter(template="follow_item").count() == 1


def test_a_forged_or_expired_confirmation_link_confirms_nothing(personas, web):
    item = published(personas)
    web.post("/follow/", {"email": "ban@example.org", "target": "item", "target_id": item.pk})
    confirm = link(Notification.objects.get(template="follow_confirm"), "confirm_url")

    assert web.get(confirm[:-3] + "abc/").status_code == 404
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=8)):
        assert web.get(confirm).status_code == 404
    assert Subscription.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    ("fields", "field", "status"),
    [
        ({"email": "không-phải-email", "target": "agency"}, "email", 400),
        ({"email": "", "target": "agency"}, "email", 400),
        ({"email": "ban@example.org", "target": "case"}, "target", 400),
        ({"email": "ban@example.org", "target": "item", "target_id": 999999}, "target", 400),
    ],
)
def test_bad_input_is_said_beside_the_field_and_kept(personas, web, fields, field, status):
    item = published(personas)
    response = web.post("/follow/", {"target_id": item.agency_id, **fields})

    assert response.status_code == status
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    if fields["email"]:
        assert fields["email"] in html
    assert not Subscription.objects.exists()


def test_me_too_counts_once_per_browser_and_per_account(personas, web):
    item = published(personas)
    url = f"/hoi-dap/{item.slug}/support/"

    assert web.get(url).status_code == 200
    web.post(url)
    web.post(url)  # the same browser: its signed device id is counted once
    Client().post(url)  # another browser
    citizen = Client()
    citizen.force_login(personas["citizen"])
    citizen.post(url)
    again = citizen.post(url)

    assert Support.objects.filter(item=item).count() == 3
    assert again.context["added"] is False
    assert again.context["count"] == 3


def test_me_too_is_rate_limited_per_address(personas, settings):
    item = published(personas)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": Limit(2, 3600)}
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"  # the counters live in the shared Redis: an address of its own
    statuses = [Client(REMOTE_ADDR=address).post(f"/hoi-dap/{item.slug}/support/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert Support.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("citizen", 404), ("official_a", 404), ("leader", 200), ("moderator", 200), ("admin", 200), (None, 302)],
)
def test_leaders_see_the_most_supported_topics(personas, web, persona, status):
    quiet, popular = published(personas), published(personas)
    for n in range(3):
        Support.objects.create(item=popular, supporter=f"d:{n}")
    Support.objects.create(item=quiet, supporter="d:x")
    if persona:
        web.force_login(personas[persona])

    response = web.get("/staff/most-supported/")

    assert response.status_code == status
    if status == 200:
        items = list(response.context["items"])
        assert [(i.pk, i.supporters) for i in items] == [(popular.pk, 3), (quiet.pk, 1)]


def test_a_citizen_follows_their_own_case_by_email_without_the_access_code_in_copies(personas, web):
    case, _token = submit_case(email="", phone="0912345678")
    from caunoi.cases.web.views import SESSION_TRACKED

    session = web.session
    session[SESSION_TRACKED] = [case.pk]
    session.save()
    assert Client().get(f"/track/{case.tracking_code}/follow/").status_code == 404  # no proof: nothing

    web.post(f"/track/{case.tracking_code}/follow/", {"email": "con-trai@example.org"})
    web.get(link(Notification.objects.get(template="follow_confirm"), "confirm_url"))
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin bổ sung bản sao sổ hộ khẩu.")

    copy = Notification.objects.get(template="info_requested", recipient="con-trai@example.org")
    assert copy.context["message"] == "Xin bổ sung bản sao sổ hộ khẩu."
    assert "access_token" not in copy.context
    assert copy.headers["Reply-To"].startswith(f"reply+case.{case.pk}.c.")
    assert "List-Unsubscribe" in copy.headers


def test_daily_followers_get_one_digest_of_what_is_new(personas, web):
    item = published(personas)
    web.post("/follow/", {"email": "ban@example.org", "target": "category", "target_id": item.category_id,
                          "frequency": "digest"})  # fmt: skip
    web.get(link(Notification.objects.get(template="follow_confirm"), "confirm_url"))
    fresh = published(personas)
    assert not Notification.objects.filter(template="follow_item").exists()

    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=25)
    assert follow_digests_send(now=later) == 1
    assert follow_digests_send(now=later) == 0
    digest = Notification.objects.get(template="follow_digest")
    assert [i["title"] for i in digest.context["items"]] == [fresh.title]
