"""Who may review, publish, unpublish and correct: every role × every action, through the pages."""

from __future__ import annotations

import pytest
from caunoi.accounts.models import Role
from caunoi.core.errors import NotFound
from caunoi.publication import services
from caunoi.publication.access import access_item_for_review
from caunoi.publication.models import PublishedItem, Status
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.support.publication import answered_case

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "citizen", "official_a", "official_b", "leader", "leader_elsewhere", "moderator", "admin"]
ALLOWED = {"leader", "moderator", "admin"}  # the item belongs to SO-NNMT-HN, below the leader's UBND-HN

# action → (status the item must be in, POST data)
ACTIONS = {
    "redact": (Status.PENDING_REVIEW, {"phrase": "sổ đỏ", "kind": "other"}),
    "unredact": (Status.PENDING_REVIEW, {}),
    "edit": (Status.PENDING_REVIEW, {"title": "Tiêu đề mới", "question": "Câu hỏi", "answer": "Trả lời"}),
    "publish": (Status.PENDING_REVIEW, {}),
    "unpublish": (Status.PUBLISHED, {"reason": "Gỡ theo đề nghị"}),
    "correct": (Status.PUBLISHED, {"title": "Tiêu đề", "question": "Câu hỏi", "answer": "Sửa", "reason": "Sửa lỗi"}),
    "reredact": (Status.PENDING_REVIEW, {}),
    "decline": (Status.PENDING_REVIEW, {"reason": "Liên quan đến trẻ em"}),
    "hide-published": (Status.PUBLISHED, {"phrase": "sổ đỏ", "kind": "other", "reason": "Lộ thông tin"}),
}


@pytest.fixture
def users(personas, agencies):
    return {**personas, "leader_elsewhere": make_user("leader-b", Role.LEADER, [agencies["BO-GDDT"]])}


def client_for(users, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def item_in(status: str, users) -> PublishedItem:
    item = PublishedItem.objects.get(case=answered_case(users))
    if status == Status.PUBLISHED:
        services.item_publish(item=item, by=users["moderator"])
        item.refresh_from_db()
    return item


def denied(response, role: str) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and "/accounts/login" in response["Location"]
    return response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_actions(users, role, action):
    status, data = ACTIONS[action]
    item = item_in(status, users)
    if action == "unredact":
        data = {"redaction": item.redactions.first().pk}
    if action == "reredact":  # a proposal the moderator showed again
        shown = item.redactions.first()
        services.item_redaction_remove(item=item, redaction_id=shown.pk, by=users["moderator"])
        data = {"redaction": shown.pk}
    before = (item.status, item.title, item.events.count())
    response = client_for(users, role).post(reverse("publication:review-action", args=[item.pk, action]), data)
    item.refresh_from_db()
    if role in ALLOWED:
        assert response.status_code == 302 and response["Location"].endswith(f"/staff/publication/{item.pk}/")
        assert item.events.count() == before[2] + 1
    else:
        assert denied(response, role)
        assert (item.status, item.title, item.events.count()) == before


@pytest.mark.parametrize("role", ROLES)
def test_review_pages(users, role):
    item = item_in(Status.PENDING_REVIEW, users)
    client = client_for(users, role)
    listing = client.get(reverse("publication:review-list"))
    page = client.get(reverse("publication:review-item", args=[item.pk]))
    if role in ALLOWED:
        assert listing.status_code == 200 and item.title in listing.content.decode()
        assert page.status_code == 200
    elif role == "leader_elsewhere":
        assert listing.status_code == 200 and item.title not in listing.content.decode()
        assert page.status_code == 404
    else:
        assert denied(listing, role) and denied(page, role)


@pytest.mark.parametrize("role", ROLES)
def test_the_access_function_itself(users, role):
    item = item_in(Status.PENDING_REVIEW, users)
    user = users.get(role) or __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
    if role in ALLOWED:
        assert access_item_for_review(user, item.pk) == item
    else:
        with pytest.raises(NotFound):
            access_item_for_review(user, item.pk)


def test_an_inactive_moderator_is_refused(users):
    item = item_in(Status.PENDING_REVIEW, users)
    users["moderator"].is_active = False
    users["moderator"].save()
    with pytest.raises(NotFound):
        access_item_for_review(users["moderator"], item.pk)


@pytest.mark.parametrize("role", ROLES)
def test_the_public_sees_only_published_items(users, role):
    pending = item_in(Status.PENDING_REVIEW, users)
    published = item_in(Status.PUBLISHED, users)
    client = client_for(users, role)
    assert client.get(reverse("publication:item", args=[pending.slug])).status_code == 404
    assert client.get(reverse("publication:item", args=[published.slug])).status_code == 200
    assert client.get(reverse("published-detail", args=[pending.slug])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_staff_link_shows_for_reviewers_only(users, role):
    html = client_for(users, role).get("/").content.decode()
    assert (reverse("publication:review-list") in html) == (role in ALLOWED | {"leader_elsewhere"})


def test_an_unknown_action_is_not_found(users):
    item = item_in(Status.PENDING_REVIEW, users)
    response = client_for(users, "moderator").post(reverse("publication:review-action", args=[item.pk, "delete"]))
    assert response.status_code == 404


def test_a_refused_action_says_why_on_the_page(users):
    item = item_in(Status.PUBLISHED, users)
    client = client_for(users, "moderator")
    response = client.post(reverse("publication:review-action", args=[item.pk, "unpublish"]), {"reason": " "})
    # A 4xx with the page again: the message in the error summary and beside the field it is about.
    assert response.status_code == 400
    assert PublishedItem.objects.get(pk=item.pk).status == Status.PUBLISHED
    assert b"error-summary" in response.content and b'id="id_unpublish_reason-error"' in response.content


def test_administrators_see_items_read_only_in_the_admin(users):
    item = item_in(Status.PUBLISHED, users)
    admin = users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(users, "admin")
    assert client.get("/admin/publication/publisheditem/").status_code == 200
    page = client.get(f"/admin/publication/publisheditem/{item.pk}/change/")
    assert page.status_code == 200 and "0912 345 678" not in page.content.decode()
