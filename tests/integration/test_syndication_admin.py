"""Administrators manage partner subscriptions and read, filter and retry the delivery log in the admin."""

from __future__ import annotations

import pytest
from caunoi.accounts.models import User
from caunoi.syndication.models import Delivery, Subscription
from caunoi.syndication.services.webhooks import delivery_attempt
from caunoi.syndication.tasks import deliver_webhook
from django.contrib.auth.models import Permission
from django.test import Client

from tests.support.syndication import make_item, webhook_receiver

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/admin/syndication/subscription/"
DELIVERIES = "/admin/syndication/delivery/"
SECRET = "a-long-shared-secret-for-partners"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(deliver_webhook, "delay", ids.append)
    return ids


def form(**changes) -> dict[str, object]:
    return {"name": "Cổng Dịch vụ công Quốc gia", "url": "https://dvc.example.gov.vn/hooks", "secret": SECRET,
            "is_active": "on", **changes}  # fmt: skip


def test_an_administrator_adds_a_subscription_with_filters(admin_client, reference_data):
    agency = reference_data["agencies"]["SO-NNMT-HN"]
    response = admin_client.post(
        f"{SUBSCRIPTIONS}add/",
        form(agencies=[agency.pk], categories=[reference_data["categories"]["dat-dai"].pk], kinds=["question"]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    subscription = Subscription.objects.get()
    assert subscription.secret == SECRET
    assert list(subscription.agencies.all()) == [agency]
    assert subscription.kinds == ["question"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "not an address"}, "url", "Enter a valid URL."),
        ({"url": "ftp://files.example.gov.vn/hooks"}, "url", "Enter an address starting with https://"),
        ({"secret": ""}, "secret", "Enter the shared secret."),
        ({"secret": "short"}, "secret", "at least 16 characters"),
        ({"kinds": ["complaint"]}, "kinds", "Select a valid choice."),
    ],
)
def test_bad_subscription_input_is_a_form_error(admin_client, reference_data, changes, field, message):
    response = admin_client.post(f"{SUBSCRIPTIONS}add/", form(**changes), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Subscription.objects.exists()


def test_the_secret_is_never_shown_again_and_an_empty_field_keeps_it(admin_client, reference_data):
    subscription = Subscription.objects.create(name="Partner", url="https://p.example/hooks", secret=SECRET)

    page = admin_client.get(f"{SUBSCRIPTIONS}{subscription.pk}/change/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()

    response = admin_client.post(f"{SUBSCRIPTIONS}{subscription.pk}/change/", form(secret="", name="Renamed"))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.secret) == ("Renamed", SECRET)


@pytest.fixture
def log(reference_data, queued) -> dict[str, Delivery]:
    """A delivered row and a row that failed for good (its receiver answered 500 every time)."""
    from caunoi.publication.services import item_publish

    with webhook_receiver() as good:
        Subscription.objects.create(name="Good partner", url=good.url, secret=SECRET)
        Subscription.objects.create(name="Broken partner", url="http://127.0.0.1:9/hooks", secret=SECRET)
        item = make_item(status="pending_review", published_at=None)
        item_publish(item=item, by=None)
        delivered = Delivery.objects.get(subscription__name="Good partner")
        failed = Delivery.objects.get(subscription__name="Broken partner")
        assert delivery_attempt(delivered.pk) == "delivered"
    Delivery.objects.filter(pk=failed.pk).update(status="failed", attempts=8, last_status_code=500,
                                                 last_error="HTTP 500")  # fmt: skip
    queued.clear()
    return {"delivered": delivered, "failed": failed}


def test_the_delivery_log_can_be_filtered_and_shows_status_attempts_and_errors(admin_client, log):
    listing = admin_client.get(DELIVERIES, {"status": "failed"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [log["failed"]]

    page = admin_client.get(f"{DELIVERIES}{log['failed'].pk}/change/").content.decode()
    assert "HTTP 500" in page and SECRET not in page

    subscriptions = admin_client.get(SUBSCRIPTIONS).content.decode()
    failed_link = f'?subscription__id__exact={log["failed"].subscription_id}&amp;status=failed">1</a>'
    assert failed_link in subscriptions  # each partner's failed deliveries, one click away

    by_partner = admin_client.get(DELIVERIES, {"subscription__id__exact": log["delivered"].subscription_id})
    assert list(by_partner.context["cl"].result_list) == [log["delivered"]]

    assert admin_client.get(f"{DELIVERIES}add/").status_code == 403
    assert admin_client.get(f"{DELIVERIES}{log['failed'].pk}/delete/").status_code == 403


def test_retry_now_requeues_failed_rows_and_leaves_delivered_ones(
    admin_client, log, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DELIVERIES,
            {"action": "retry_now", "_selected_action": [log["failed"].pk, log["delivered"].pk]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert "1 delivery queued to be sent now." in response.content.decode()
    assert queued == [log["failed"].pk]
    assert Delivery.objects.get(pk=log["failed"].pk).status == "pending"
    assert Delivery.objects.get(pk=log["delivered"].pk).status == "delivered"


def test_staff_who_may_only_view_the_log_cannot_retry(log, queued, django_capture_on_commit_callbacks):
    viewer = User.objects.create_user(username="viewer", password="correct horse 42", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client = Client()
    client.force_login(viewer)

    assert client.get(DELIVERIES).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DELIVERIES, {"action": "retry_now", "_selected_action": [log["failed"].pk]})

    assert queued == []
    assert Delivery.objects.get(pk=log["failed"].pk).status == "failed"


@pytest.mark.parametrize("persona", ["citizen", "official_a", "official_b", "leader", "moderator", "admin"])
def test_portal_roles_without_staff_access_cannot_open_syndication_admin(personas, persona):
    client = Client()
    client.force_login(personas[persona])
    for page in (SUBSCRIPTIONS, DELIVERIES):
        response = client.get(page)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_the_login_page(web):
    for page in (SUBSCRIPTIONS, DELIVERIES):
        response = web.get(page)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_log_is_searched_by_item_or_event_id(admin_client, log):
    by_item = admin_client.get(DELIVERIES, {"q": log["failed"].item_slug})
    assert by_item.status_code == 200 and len(by_item.context["cl"].result_list) == 2

    by_event = admin_client.get(DELIVERIES, {"q": str(log["failed"].event_id)})
    assert list(by_event.context["cl"].result_list) == [log["failed"]]
