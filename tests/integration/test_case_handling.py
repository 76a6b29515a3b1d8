"""The handling services: each changes the case, records its event, and tells the right people."""

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import AnswerVersion, Case, EventType, Message
from caunoi.cases.services import (
    InvalidTransition,
    case_answer_draft,
    case_approve,
    case_assign,
    case_citizen_reply,
    case_claim,
    case_extend,
    case_link_duplicate,
    case_note_add,
    case_rate,
    case_reject,
    case_request_info,
    case_return,
    case_split,
    case_submit_for_review,
    case_transfer,
)
from caunoi.core.errors import ValidationFailed
from caunoi.notifications.models import Notification
from django.utils import translation

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def events(case: Case) -> list[str]:
    return list(case.events.order_by("at", "id").values_list("type", flat=True))


def sent(template: str) -> list[Notification]:
    return list(Notification.objects.filter(template=template))


def answered_case(personas, **kwargs):
    case, token = submit_case(**kwargs)
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Hồ sơ gồm đơn đề nghị và giấy tờ về đất.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=1)
    case.refresh_from_db()
    return case, token


def test_submission_tells_the_citizen_the_tracking_code(reference_data):
    case, _token = submit_case()
    [received] = sent("case_received")
    assert received.recipient == "nguoi-dan@example.org"
    assert received.context["tracking_code"] == case.tracking_code
    assert received.context["track_url"].endswith(f"/track/?code={case.tracking_code}")


def test_claim_draft_review_approve_reaches_the_citizen(personas, reference_data):
    case, _token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Bản nháp thứ nhất.")
    case_answer_draft(case=case, by=personas["official_a"], body="Bản nháp thứ hai, đầy đủ hơn.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=2)
    case.refresh_from_db()
    assert (case.status, case.assignee, case.closed_at is not None) == ("answered", personas["official_a"], True)
    assert list(case.answer_versions.values_list("number", flat=True)) == [1, 2]
    assert AnswerVersion.objects.get(case=case, number=2).approved_by == personas["leader"]
    assert events(case)[3:] == ["claimed", "answer_drafted", "answer_drafted", "review_requested", "answered"]
    [answered] = sent("case_answered")
    assert answered.context["answer"] == "Bản nháp thứ hai, đầy đủ hơn."


def test_return_sends_the_draft_back_with_a_comment(personas, reference_data):
    case, _token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Nháp.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_return(case=case, by=personas["leader"], comment="Cần dẫn chiếu điều luật.")
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.events.get(type=EventType.RETURNED).payload["comment"] == "Cần dẫn chiếu điều luật."


def test_invalid_transitions_are_refused_and_change_nothing(personas, reference_data):
    case, _token = submit_case()
    with pytest.raises(InvalidTransition):
        case_approve(case=case, by=personas["leader"], version=1)
    case_claim(case=case, by=personas["official_a"])
    with pytest.raises(InvalidTransition):
        case_claim(case=case, by=personas["leader"])  # claimed a moment ago
    with pytest.raises(InvalidTransition):
        case_submit_for_review(case=case, by=personas["official_a"])  # nothing drafted
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("in_progress", personas["official_a"])
    assert events(case).count("claimed") == 1


def test_request_info_pauses_until_the_citizen_replies(personas, reference_data):
    with time_machine.travel(dt.datetime(2026, 6, 8, 9, tzinfo=VN), tick=False):
        case, _token = submit_case()
        case_claim(case=case, by=personas["official_a"])
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=VN), tick=False):
        case_request_info(case=case, by=personas["official_a"], message="Xin gửi bản sao sổ hộ khẩu.")
    case.refresh_from_db()
    assert (case.status, case.due_at) == ("waiting_citizen", None)
    assert sent("info_requested")[0].context["message"] == "Xin gửi bản sao sổ hộ khẩu."
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, tzinfo=VN), tick=False):
        case_citizen_reply(case=case, body="Tôi đã gửi bản sao qua bưu điện.")
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.due_at.astimezone(VN).date() == dt.date(2026, 7, 2)  # 29 June + the 3 paused working days
    assert [m.direction for m in case.messages.all()] == [Message.Direction.TO_CITIZEN, Message.Direction.FROM_CITIZEN]


def test_assign_only_to_an_official_of_the_agency(personas, reference_data):
    case, _token = submit_case()
    with pytest.raises(ValidationFailed):
        case_assign(case=case, by=personas["leader"], to=personas["official_b"])
    personas["official_a"].email = "a@so-nnmt.example"
    personas["official_a"].save()
    case_assign(case=case, by=personas["leader"], to=personas["official_a"])
    case.refresh_from_db()
    assert case.assignee == personas["official_a"]
    assert sent("staff_assigned")[0].recipient == "a@so-nnmt.example"


def test_notes_stay_internal(personas, reference_data, api):
    case, token = submit_case()
    case_note_add(case=case, by=personas["official_a"], body="Đã gọi điện xác minh.")
    tracked = api.get(f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token).json()
    assert "Đã gọi điện xác minh." not in str(tracked)
    assert "note_added" not in str(tracked)


def test_transfer_restarts_the_clock_at_the_receiving_agency(personas, reference_data, agencies):
    with time_machine.travel(dt.datetime(2026, 6, 8, 9, tzinfo=VN), tick=False):
        case, _token = submit_case()
        assert case.forward_by == dt.date(2026, 6, 15)  # 5 working days
    with time_machine.travel(dt.datetime(2026, 6, 17, 9, tzinfo=VN), tick=False):
        case_transfer(
            case=case, by=personas["official_a"], to_agency=agencies["SO-XD-HN"], reason="Thuộc lĩnh vực xây dựng"
        )
    case.refresh_from_db()
    assert (case.agency.code, case.status, case.assignee) == ("SO-XD-HN", "received", None)
    assert case.clock_started_on == dt.date(2026, 6, 17)
    assert case.due_at.astimezone(VN).date() == dt.date(2026, 7, 8)  # 15 working days from 18 June
    transferred = case.events.get(type=EventType.TRANSFERRED)
    assert transferred.payload["forwarded_late"] is True
    assert case.routing_explanation["transferred_from"] == "SO-NNMT-HN"
    assert sent("case_transferred")[0].context["agency"] == "Sở Xây dựng Hà Nội"


def test_extension_lengthens_the_current_clock_only(personas, reference_data, agencies):
    with time_machine.travel(dt.datetime(2026, 6, 8, 9, tzinfo=VN), tick=False):
        case, _token = submit_case()
        case_extend(case=case, by=personas["leader"], days=5, reason="Cần xác minh thực địa")
    case.refresh_from_db()
    assert case.due_at.astimezone(VN).date() == dt.date(2026, 7, 6)  # 20 working days from 9 June
    with pytest.raises(ValidationFailed):
        case_extend(case=case, by=personas["leader"], days=0, reason="x")


def test_reject_closes_with_a_pointer(personas, reference_data):
    case, _token = submit_case()
    case_reject(case=case, by=personas["leader"], reason="Đây là khiếu nại.", pointer="Gửi theo Luật Khiếu nại 2011.")
    case.refresh_from_db()
    assert (case.status, case.closed_at is not None) == ("rejected", True)
    assert sent("case_rejected")[0].context["pointer"] == "Gửi theo Luật Khiếu nại 2011."


def test_one_answer_reaches_every_linked_asker(personas, reference_data):
    primary, _ = submit_case(email="a@example.org")
    first_duplicate, _ = submit_case(email="b@example.org")
    second_duplicate, _ = submit_case(email="c@example.org")
    case_link_duplicate(case=second_duplicate, by=personas["official_a"], primary=first_duplicate)
    case_link_duplicate(case=first_duplicate, by=personas["official_a"], primary=primary)  # its own duplicate follows
    assert Case.objects.get(pk=second_duplicate.pk).duplicate_of == primary
    case_claim(case=primary, by=personas["official_a"])
    case_answer_draft(case=primary, by=personas["official_a"], body="Câu trả lời chung.")
    case_submit_for_review(case=primary, by=personas["official_a"])
    case_approve(case=primary, by=personas["leader"], version=1)
    for case in (primary, first_duplicate, second_duplicate):
        case.refresh_from_db()
        assert case.status == "answered"
        assert case.answer_versions.get(approved_at__isnull=False).body == "Câu trả lời chung."
    assert sorted(n.recipient for n in sent("case_answered")) == ["a@example.org", "b@example.org", "c@example.org"]


def test_split_parts_each_have_a_clock_and_the_citizen_gets_one_combined_answer(personas, reference_data, agencies):
    whole, _ = submit_case()
    parts = case_split(case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    assert [p.tracking_code for p in parts] == [f"{whole.tracking_code}-1", f"{whole.tracking_code}-2"]
    assert all(p.due_at is not None for p in parts)
    for part, official in zip(parts, ("official_a", "leader"), strict=True):
        case_claim(case=part, by=personas[official])
        case_answer_draft(case=part, by=personas[official], body=f"Phần trả lời của {part.agency.code}.")
        case_submit_for_review(case=part, by=personas[official])
        case_approve(case=part, by=personas["leader"], version=1)
        whole.refresh_from_db()
    assert whole.status == "answered"
    combined = whole.answer_versions.get(approved_at__isnull=False).body
    assert "Phần trả lời của SO-NNMT-HN." in combined and "Phần trả lời của SO-XD-HN." in combined
    assert [n.context["answer"] for n in sent("case_answered")] == [combined]  # parts say nothing themselves


def test_a_part_of_a_split_case_cannot_be_split_again(personas, reference_data, agencies):
    # Found by the lifecycle model: parts of parts took ever longer tracking codes ("HD-2026-000123-2-2-1"),
    # until one no longer fitted its column and the split failed with a database error (a 500).
    whole, _ = submit_case()
    two = [agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]]
    part = case_split(case=whole, by=personas["leader"], agencies=two)[1]
    with translation.override("en"), pytest.raises(InvalidTransition, match="part of a split case"):
        case_split(case=part, by=personas["leader"], agencies=two)
    assert not part.parts.exists()


def test_the_citizen_rates_once_after_the_answer(personas, reference_data):
    case, _token = submit_case()
    with pytest.raises(InvalidTransition):
        case_rate(case=case, score=5)
    case, _token = answered_case(personas)
    rating = case_rate(case=case, score=4, comment="Rõ ràng")
    assert (rating.score, case.events.get(type=EventType.RATED).actor) == (4, None)
    with pytest.raises(InvalidTransition):
        case_rate(case=case, score=1)


def test_review_is_named_for_officials_but_not_for_the_citizen(personas, reference_data, api):
    from tests.conftest import api_as

    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Nháp.")
    case_submit_for_review(case=case, by=personas["official_a"])
    staff = api_as(personas["leader"]).get(f"/api/v1/cases/{case.id}/").json()
    citizen = api.get(f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token).json()
    assert staff["status_label"] == "Chờ lãnh đạo duyệt"
    assert citizen["status_label"] == "Đang xử lý"


def test_a_draft_can_start_from_an_agency_template(personas, reference_data, agencies):
    from caunoi.cases.models import AnswerTemplate

    from tests.conftest import api_as

    ours = AnswerTemplate.objects.create(agency=agencies["UBND-HN"], title="Mẫu chung", body="Nội dung mẫu của Hà Nội.")
    theirs = AnswerTemplate.objects.create(agency=agencies["BO-GDDT"], title="Mẫu khác", body="Không dùng được.")
    case, _ = submit_case()
    case_claim(case=case, by=personas["official_a"])
    client = api_as(personas["official_a"])
    refused = client.post(f"/api/v1/cases/{case.id}/draft/", {"template": theirs.pk}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["template"])
    assert client.post(f"/api/v1/cases/{case.id}/draft/", {"template": ours.pk}, format="json").status_code == 200
    assert case.answer_versions.get().body == "Nội dung mẫu của Hà Nội."  # a template of an agency above counts
    empty = client.post(f"/api/v1/cases/{case.id}/draft/", {"body": "  "}, format="json")
    assert (empty.status_code, list(empty.json())) == (400, ["body"])
