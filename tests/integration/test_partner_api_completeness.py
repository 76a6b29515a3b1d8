"""What a partner portal's developer meets in the API: unknown fields refused by name, JSON errors under
/api/, the reference lists intake's codes come from, a staff-usable id, the whole case for staff, and the
queue found by tracking code."""

from __future__ import annotations

import pytest
from caunoi.cases.services import case_answer_draft, case_claim, case_note_add, case_request_info

from tests.conftest import api_as
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "question",
    "title": "Hỏi về thủ tục cấp sổ đỏ",
    "body": "Gia đình tôi sử dụng đất ổn định từ năm 1990, xin hỏi thủ tục cấp giấy chứng nhận.",
    "category": "dat-dai",
    "area": "tinh-01",
    "name": "Nguyễn Văn An",
    "email": "an@example.org",
}


# Unknown fields


def test_an_unknown_field_is_refused_by_name_and_nothing_is_stored(api, reference_data):
    from caunoi.cases.models import Case

    response = api.post("/api/v1/cases/", {**VALID, "consent_publish": True}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"consent_publish"}
    assert "consent_to_publish" in body["consent_publish"][0]
    assert not Case.objects.exists()


def test_unknown_fields_are_refused_in_multipart_submissions_too(api, reference_data):
    response = api.post("/api/v1/cases/", {**VALID, "consent": "true"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) == {"consent"}


def test_a_handling_action_refuses_unknown_fields(reference_data, personas):
    case, _token = submit_case()
    official = api_as(personas["official_a"])

    response = official.post(f"/api/v1/cases/{case.pk}/note/", {"body": "ok", "text": "x"}, format="json")
    claim = official.post(f"/api/v1/cases/{case.pk}/claim/", {"force": True}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"text"}
    assert claim.status_code == 400
    assert set(claim.json()) == {"force"}


def test_a_citizens_reply_refuses_unknown_fields(api, reference_data):
    case, token = submit_case()

    response = api.post(
        f"/api/v1/cases/track/{case.tracking_code}/rating/",
        {"score": 5, "stars": 5},
        format="json",
        HTTP_X_ACCESS_TOKEN=token,
    )

    assert response.status_code == 400
    assert "stars" in response.json()


def test_the_web_form_still_accepts_its_own_fields(web, reference_data):
    from caunoi.cases.models import Case

    response = web.post("/submit/", {**VALID, "submission_key": "k" * 20, "homepage": ""})

    assert response.status_code == 302, response.content.decode()[:500]
    assert Case.objects.count() == 1


# JSON errors


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/cases/999999999/nope/x/", "/api/nothing"])
def test_an_unknown_address_under_api_answers_json(web, path):
    response = web.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


# Reference lists


def test_categories_are_listed_with_the_codes_intake_takes(api, reference_data):
    response = api.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 200
    codes = {row["code"] for row in response.json()}
    assert "dat-dai" in codes
    assert {c for c, category in reference_data["categories"].items() if category.is_active} == codes


def test_categories_are_searched_without_diacritics(api, reference_data):
    response = api.get("/api/v1/categories/", {"q": "dat dai"}, HTTP_ACCEPT_LANGUAGE="vi")

    assert [row["code"] for row in response.json()] == ["dat-dai"]


def test_areas_form_a_tree_with_communes(api, reference_data):
    everything = api.get("/api/v1/areas/").json()
    top = api.get("/api/v1/areas/", {"parent": "top"}).json()
    hanoi = api.get("/api/v1/areas/", {"parent": "tinh-01"}).json()

    assert everything["count"] == 5
    assert [a["code"] for a in top["results"]] == ["vn"]
    assert {a["code"] for a in hanoi["results"]} == {"xa-00070", "xa-00004"}
    assert all(a["kind"] == "commune" and a["parent"] == "tinh-01" for a in hanoi["results"])
    province = next(a for a in everything["results"] if a["code"] == "tinh-01")
    assert province["children_count"] == 2


def test_areas_are_searched_without_diacritics_and_unknown_parents_refused(api, reference_data):
    found = api.get("/api/v1/areas/", {"q": "ba dinh"}).json()
    unknown = api.get("/api/v1/areas/", {"parent": "tinh-99"}, HTTP_ACCEPT_LANGUAGE="en")

    assert [a["code"] for a in found["results"]] == ["xa-00004"]
    assert unknown.status_code == 400
    assert "parent" in unknown.json()


# Intake and staff reads


def test_the_201_carries_the_id_staff_use(api, reference_data, personas):
    body = api.post("/api/v1/cases/", VALID, format="json").json()

    staff = api_as(personas["official_a"]).get(f"/api/v1/cases/{body['id']}/")

    assert staff.status_code == 200
    assert staff.json()["tracking_code"] == body["tracking_code"]


def test_staff_read_the_whole_case_notes_drafts_messages_and_timeline(reference_data, personas):
    case, _token = submit_case()
    official = personas["official_a"]
    case_claim(case=case, by=official)
    case_note_add(case=case, by=official, body="Gọi lại cho người dân chiều nay.")
    case_request_info(case=case, by=official, message="Xin gửi bản sao sổ hộ khẩu.")
    case.refresh_from_db()

    body = api_as(official).get(f"/api/v1/cases/{case.pk}/").json()

    assert [n["body"] for n in body["notes"]] == ["Gọi lại cho người dân chiều nay."]
    assert body["notes"][0]["author"] == "official-a"
    assert [(m["direction"], m["body"]) for m in body["messages"]] == [("to_citizen", "Xin gửi bản sao sổ hộ khẩu.")]
    types = [event["type"] for event in body["timeline"]]
    assert types[0] == "submitted" and "claimed" in types
    assert body["drafts"] == []


def test_staff_read_drafts_with_their_version_numbers(reference_data, personas):
    case, _token = submit_case()
    official = personas["official_a"]
    case_claim(case=case, by=official)
    case_answer_draft(case=case, by=official, body="Bản nháp thứ nhất của câu trả lời.")
    case_answer_draft(case=case, by=official, body="Bản nháp thứ hai của câu trả lời.")

    drafts = api_as(official).get(f"/api/v1/cases/{case.pk}/").json()["drafts"]

    assert [(d["number"], d["author"], d["approved_at"]) for d in drafts] == [
        (1, "official-a", None),
        (2, "official-a", None),
    ]


@pytest.mark.parametrize("typed", ["exact", "lower"])
def test_the_queue_finds_a_case_by_its_tracking_code(reference_data, personas, typed):
    case, _token = submit_case()
    submit_case(title="Một câu hỏi khác về đất đai")
    code = case.tracking_code if typed == "exact" else case.tracking_code.lower()

    results = api_as(personas["official_a"]).get("/api/v1/queue/", {"q": code}).json()["results"]

    assert [row["tracking_code"] for row in results] == [case.tracking_code]
