"""Many near-identical submissions in a short time are held for moderation instead of flooding agencies'
queues: a held case has its tracking code (the API contract holds) but no clock, no receipt and no place in
any official's queue, until an administrator releases it; each step leaves an event."""

from __future__ import annotations

import uuid

import pytest
from caunoi.cases.models import Case, CaseEvent
from caunoi.notifications.models import Notification
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import api_as

pytestmark = pytest.mark.django_db

SPAM = {
    "kind": "feedback",
    "category": "dat-dai",
    "area": "tinh-01",
    "title": "Khiếu nại về việc lấn chiếm đất công tại khu phố",
    "body": "Đề nghị cơ quan chức năng kiểm tra việc lấn chiếm đất công tại khu phố 3, phường Hàng Bạc, "
    "đã kéo dài nhiều tháng nay mà chưa được xử lý. Mã: {n}",
}


def send(n: int, **changes):
    client = APIClient(REMOTE_ADDR=f"10.{n % 250}.{uuid.uuid4().int % 250}.1")
    data = {**SPAM, "body": SPAM["body"].format(n=n), "name": f"Người gửi {n}", "email": f"nguoi{n}@example.vn"}
    return client.post("/api/v1/cases/", {**data, **changes}, format="json")


@pytest.fixture
def flood(settings, reference_data):
    settings.FLOOD_SIMILAR_COUNT = 3
    settings.FLOOD_WINDOW_MINUTES = 10
    return [send(n) for n in range(6)]


def test_the_flood_past_a_few_is_held_with_its_tracking_code(flood):
    assert [r.status_code for r in flood] == [201] * 6
    held = [Case.objects.get(tracking_code=r.json()["tracking_code"]).held_at is not None for r in flood]
    assert held == [False, False, False, True, True, True]
    case = Case.objects.get(tracking_code=flood[-1].json()["tracking_code"])
    assert case.due_at is None  # the legal clock has not started
    types = list(case.events.values_list("type", flat=True))
    assert "held" in types and "deadline_set" not in types
    assert not Notification.objects.filter(recipient=case.contact_email).exists()  # no receipt sent


def test_held_cases_are_in_no_officials_queue_or_page(flood, personas):
    held = Case.objects.filter(held_at__isnull=False)
    official = api_as(personas["official_a"])
    queue = official.get("/api/v1/queue/", {"limit": 100}).json()
    codes = {row["tracking_code"] for row in queue["results"]}
    assert codes and not codes & set(held.values_list("tracking_code", flat=True))
    assert official.get(f"/api/v1/cases/{held.first().pk}/").status_code == 404


def test_different_questions_are_not_held(settings, reference_data):
    settings.FLOOD_SIMILAR_COUNT = 2
    topics = ["giấy phép xây dựng nhà ở", "học phí trường tiểu học", "cấp sổ đỏ lần đầu", "bảo hiểm y tế hộ gia đình"]
    for n, topic in enumerate(topics):
        response = send(n, title=f"Hỏi về {topic}", body=f"Xin hỏi thủ tục {topic} cần những giấy tờ gì ạ?")
        assert response.status_code == 201
    assert not Case.objects.filter(held_at__isnull=False).exists()


def test_an_administrator_releases_a_held_case_and_its_clock_starts(flood, personas):
    admin_user = personas["admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    admin_client = Client()
    admin_client.force_login(admin_user)
    case = Case.objects.filter(held_at__isnull=False).first()
    listed = admin_client.get("/admin/cases/case/", {"held_at__isempty": "0"})
    assert case.tracking_code in listed.content.decode()
    response = admin_client.post(
        "/admin/cases/case/", {"action": "release_held", ACTION_CHECKBOX_NAME: [case.pk]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.held_at is None
    assert case.due_at is not None
    released = case.events.get(type="released")
    assert released.actor == admin_user
    assert case.events.filter(type="deadline_set").exists()
    assert Notification.objects.filter(recipient=case.contact_email, template="case_received").exists()
    official = api_as(personas["official_a"])
    assert official.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert CaseEvent.objects.filter(case=case, type="held").exists()  # the history stays


def test_the_citizen_follows_a_held_case_with_its_access_code(flood):
    submitted = flood[-1].json()
    code, token = submitted["tracking_code"], submitted["access_token"]
    tracked = APIClient().get(f"/api/v1/cases/track/{code}/", HTTP_X_ACCESS_TOKEN=token)
    assert tracked.status_code == 200
    assert tracked.json()["due_at"] is None
    page = Client().post("/track/", {"code": code, "token": token}, follow=True)
    assert page.status_code == 200
    assert code in page.content.decode()


def test_a_moderator_lists_held_cases_and_releases_one_on_the_staff_page(flood, personas):
    moderator = Client()
    moderator.force_login(personas["moderator"])
    page = moderator.get("/staff/held/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    held = list(Case.objects.filter(held_at__isnull=False).order_by("id"))
    html = page.content.decode()
    assert all(case.tracking_code in html for case in held)
    assert "Many near-identical submissions" in html
    released = moderator.post(f"/staff/held/{held[0].pk}/release/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert released.status_code == 200
    assert "released" in released.content.decode()
    held[0].refresh_from_db()
    assert held[0].held_at is None and held[0].due_at is not None
    assert held[0].events.get(type="released").actor == personas["moderator"]
    again = moderator.post(f"/staff/held/{held[0].pk}/release/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "not held" in again.content.decode()


@pytest.mark.parametrize("persona", ["citizen", "official_a", "leader"])
def test_only_moderators_and_administrators_see_held_cases(flood, personas, persona):
    client = Client()
    client.force_login(personas[persona])
    assert client.get("/staff/held/").status_code == 404
    case = Case.objects.filter(held_at__isnull=False).first()
    assert client.post(f"/staff/held/{case.pk}/release/").status_code == 404
    case.refresh_from_db()
    assert case.held_at is not None
