"""GET /api/v1/cases/track/<code>/: the citizen follows their case with the access code."""

import pytest
from caunoi.cases.models import Case
from caunoi.cases.services import case_clock_pause

from tests.conftest import api_as

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "question",
    "title": "Hỏi về thủ tục cấp sổ đỏ",
    "body": "Xin hỏi hồ sơ cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm những gì?",
    "category": "dat-dai",
    "area": "tinh-01",
    "name": "Phạm Minh Đức",
    "email": "duc@example.org",
}


@pytest.fixture
def submitted(api, reference_data):
    return api.post("/api/v1/cases/", VALID, format="json").json()


def test_the_access_code_shows_status_timeline_and_due_date(api, submitted):
    response = api.get(
        f"/api/v1/cases/track/{submitted['tracking_code']}/", HTTP_X_ACCESS_TOKEN=submitted["access_token"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "received"
    assert body["status_label"] == "Đã tiếp nhận"
    assert body["due_at"] == submitted["due_at"]
    assert body["clock"] == "running"
    assert [entry["type"] for entry in body["timeline"]] == ["submitted", "routed"]
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in body["timeline"][1]["text"]
    assert body["answer"] is None


def test_the_public_timeline_hides_internal_details(api, submitted):
    body = api.get(
        f"/api/v1/cases/track/{submitted['tracking_code']}/", HTTP_X_ACCESS_TOKEN=submitted["access_token"]
    ).json()
    text = str(body)
    assert "hanoi-land" not in text  # the routing rule is for officials
    assert "deadline_set" not in text


def test_wrong_token_and_unknown_code_look_the_same(api, submitted):
    wrong_token = api.get(f"/api/v1/cases/track/{submitted['tracking_code']}/", HTTP_X_ACCESS_TOKEN="guess")
    unknown_code = api.get("/api/v1/cases/track/HD-2026-999999/", HTTP_X_ACCESS_TOKEN=submitted["access_token"])
    no_token = api.get(f"/api/v1/cases/track/{submitted['tracking_code']}/")
    assert wrong_token.status_code == unknown_code.status_code == no_token.status_code == 404
    assert wrong_token.json() == unknown_code.json() == no_token.json()


def test_a_paused_clock_shows_as_paused_without_a_due_date(api, submitted):
    case = Case.objects.get(tracking_code=submitted["tracking_code"])
    case_clock_pause(case=case, by=None, reason="Thiếu bản sao giấy tờ")
    body = api.get(
        f"/api/v1/cases/track/{submitted['tracking_code']}/", HTTP_X_ACCESS_TOKEN=submitted["access_token"]
    ).json()
    assert body["clock"] == "paused"
    assert body["due_at"] is None
    assert body["timeline"][-1]["type"] == "clock_paused"


def test_staff_see_why_here_and_how_the_due_date_was_computed(personas, submitted):
    case = Case.objects.get(tracking_code=submitted["tracking_code"])
    response = api_as(personas["official_a"]).get(f"/api/v1/cases/{case.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["routing"]["rule"] == "hanoi-land"
    assert body["routing"]["matched"] == {"category": ["dat-dai"], "area": ["tinh-01"]}
    due = body["due_computation"]
    assert (due["unit"], due["days"]) == ("working_days", 15)
    assert due["due_date"] == submitted["due_at"][:10]
    assert "43/2011" in due["legal_basis"]
    assert all({"date", "kind", "reason"} <= set(day) for day in due["skipped"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("official_a", 200), ("leader", 200), ("admin", 200), ("official_b", 404), ("citizen", 404), ("moderator", 404)],
)
def test_staff_case_detail_access_by_role(personas, submitted, persona, status):
    case = Case.objects.get(tracking_code=submitted["tracking_code"])
    assert api_as(personas[persona]).get(f"/api/v1/cases/{case.id}/").status_code == status


def test_staff_case_detail_needs_a_login(api, submitted):
    case = Case.objects.get(tracking_code=submitted["tracking_code"])
    assert api.get(f"/api/v1/cases/{case.id}/").status_code == 401


def test_token_login_for_api_clients(api, personas):
    response = api.post(
        "/api/v1/auth/token/", {"username": "official-a", "password": "correct horse 42"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert api.get("/api/v1/cases/0/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404
    bad = api.post("/api/v1/auth/token/", {"username": "official-a", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert "non_field_errors" in bad.json()
