"""Every role × every handling action, through the API: allowed (200), refused (403), or — for cases outside
the user's agencies — indistinguishable from a case that does not exist (404)."""

import pytest
from caunoi.cases.api.actions import ACTIONS
from caunoi.cases.services import case_answer_draft, case_claim, case_submit_for_review
from caunoi.workflows.registry import workflows

from tests.conftest import api_as
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

# The state each action needs, reached by the official of agency A; and a valid input for it.
SETUP = {
    "claim": "received",
    "assign": "received",
    "note": "received",
    "request_info": "in_progress",
    "draft": "in_progress",
    "submit_for_review": "drafted",
    "approve": "in_review",
    "return": "in_review",
    "transfer": "received",
    "extend": "received",
    "reject": "received",
    "link_duplicate": "received",
    "split": "received",
}
INPUT = {
    "assign": {"assignee": "official-a"},
    "note": {"body": "Ghi chú nội bộ."},
    "request_info": {"message": "Xin gửi thêm bản sao giấy tờ."},
    "draft": {"body": "Dự thảo câu trả lời."},
    "return": {"comment": "Cần bổ sung căn cứ."},
    "transfer": {"agency": "SO-XD-HN", "reason": "Thuộc lĩnh vực xây dựng."},
    "extend": {"days": 5, "reason": "Cần xác minh."},
    "reject": {"reason": "Là khiếu nại.", "pointer": "Luật Khiếu nại 2011."},
    "split": {"agencies": ["SO-NNMT-HN", "SO-XD-HN"], "note": "Hai lĩnh vực."},
    "approve": {"version": 1},
}
VISIBLE_TO = {"official_a", "leader", "admin"}  # the case is at SO-NNMT-HN, below the leader's UBND-HN


def prepare(state, personas):
    case, _token = submit_case()
    official = personas["official_a"]
    if state in {"in_progress", "drafted", "in_review"}:
        case_claim(case=case, by=official)
    if state in {"drafted", "in_review"}:
        case_answer_draft(case=case, by=official, body="Dự thảo.")
    if state == "in_review":
        case_submit_for_review(case=case, by=official)
    return case


def expected_status(persona: str, action: str) -> int:
    if persona not in VISIBLE_TO:
        return 404
    lifecycle = workflows().lifecycle
    roles = lifecycle.transitions[action].roles if action in lifecycle.transitions else lifecycle.actions[action].roles
    role = {"official_a": "official", "leader": "leader", "admin": "admin"}[persona]
    return 200 if role in roles else 403


def test_every_action_is_covered():
    assert set(SETUP) == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(SETUP))
@pytest.mark.parametrize("persona", ["citizen", "official_a", "official_b", "leader", "moderator", "admin"])
def test_role_by_action(personas, reference_data, persona, action):
    case = prepare(SETUP[action], personas)
    data = dict(INPUT.get(action, {}))
    if action == "link_duplicate":
        data["primary"] = submit_case()[0].tracking_code
    response = api_as(personas[persona]).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")
    assert response.status_code == expected_status(persona, action), response.json()
    if response.status_code == 404:  # the same answer as for a case that does not exist
        missing = api_as(personas[persona]).post(f"/api/v1/cases/999999/{action}/", data, format="json")
        assert (missing.status_code, missing.json()) == (404, response.json())


def test_anonymous_gets_401(api, personas, reference_data):
    case = prepare("received", personas)
    assert api.post(f"/api/v1/cases/{case.id}/claim/", {}, format="json").status_code == 401


def test_unknown_action_is_404(personas, reference_data):
    case = prepare("received", personas)
    assert api_as(personas["official_a"]).post(f"/api/v1/cases/{case.id}/teleport/", {}).status_code == 404


def test_a_transition_from_the_wrong_state_is_409_and_changes_nothing(personas, reference_data):
    case = prepare("received", personas)
    response = api_as(personas["leader"]).post(f"/api/v1/cases/{case.id}/approve/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    case.refresh_from_db()
    assert case.status == "received"


def test_bad_input_is_400_with_field_messages(personas, reference_data):
    case = prepare("received", personas)
    client = api_as(personas["leader"])
    response = client.post(f"/api/v1/cases/{case.id}/extend/", {"days": 99}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert set(response.json()) == {"days", "reason"}
    response = client.post(f"/api/v1/cases/{case.id}/transfer/", {"agency": "NOPE", "reason": "x"}, format="json")
    assert response.status_code == 400
    assert "agency" in response.json()
