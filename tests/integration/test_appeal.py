"""The appeal (second stage): a citizen who disagrees with the answer asks, once and within the policy's
period, for it to be reconsidered; the case reopens with a clock of its own at the agency the policy names,
goes through the same queue and review, and reports count it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.accounts.models import Role
from caunoi.agencies.models import Membership
from caunoi.cases.models import Case, EventType
from caunoi.cases.services import (
    case_answer_draft,
    case_appeal,
    case_approve,
    case_claim,
    case_submit_for_review,
)
from caunoi.notifications.models import Notification
from caunoi.reports.figures import report_figures
from caunoi.reports.periods import quarter_period
from caunoi.reports.scope import Scope
from caunoi.workflows.registry import workflows
from django.test import Client

from tests.conftest import api_as, make_user
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))
ANSWERED_AT = dt.datetime(2026, 6, 10, 9, tzinfo=VN)


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=VN), tick=False)


def answered(personas, **kwargs) -> tuple[Case, str]:
    with time_machine.travel(ANSWERED_AT, tick=False):
        case, token = submit_case(**kwargs)
        case_claim(case=case, by=personas["official_a"])
        case_answer_draft(case=case, by=personas["official_a"], body="Câu trả lời lần đầu.")
        case_submit_for_review(case=case, by=personas["official_a"])
        case_approve(case=case, by=personas["leader"], version=1)
    case.refresh_from_db()
    return case, token


def appeal(api, case: Case, token: str, reason: str = "Câu trả lời chưa nêu căn cứ pháp lý.", **headers):
    return api.post(
        f"/api/v1/cases/track/{case.tracking_code}/appeal/",
        {"reason": reason},
        format="json",
        HTTP_X_ACCESS_TOKEN=token,
        **headers,
    )


def test_the_citizen_appeals_and_the_case_reopens_as_a_second_stage(api, personas, reference_data, agencies):
    leader_a = make_user("leader-a", Role.LEADER, [agencies["SO-NNMT-HN"]])
    leader_a.email = "lanh-dao@example.org"
    leader_a.save()
    case, token = answered(personas)
    with at(dt.date(2026, 6, 20)):
        response = appeal(api, case, token)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "appealed" and body["stage"] == 2
    # 30 calendar days from the appeal (deadline policy v2, `appeal.handling`): 20 July 2026, a Monday.
    assert dt.datetime.fromisoformat(body["due_at"]).astimezone(VN).date() == dt.date(2026, 7, 20)
    case.refresh_from_db()
    assert (case.status, case.stage, case.closed_at, case.assignee) == ("appealed", 2, None, None)
    assert case.agency == agencies["SO-NNMT-HN"]  # its own leaders reconsider it
    assert case.clock_started_on == dt.date(2026, 6, 20)
    assert case.lifecycle_version == workflows().lifecycle.version
    assert "appeal" in case.due_explanation["en"]["legal_basis"].lower() or "Khiếu nại" in str(case.due_explanation)
    event = case.events.get(type=EventType.APPEALED)
    assert event.agency == agencies["SO-NNMT-HN"]
    assert case.messages.last().body == "Câu trả lời chưa nêu căn cứ pháp lý."
    assert Notification.objects.filter(template="case_appealed", recipient="nguoi-dan@example.org").count() == 1
    assert list(Notification.objects.filter(template="staff_appeal").values_list("recipient", flat=True)) == [
        "lanh-dao@example.org"
    ]
    with at(dt.date(2026, 6, 21)):
        track = api.get(
            f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token, HTTP_ACCEPT_LANGUAGE="en"
        ).json()
    assert track["status"] == "appealed" and track["can_appeal"] is False
    assert any("reconsidered" in e["text"] or "reconsiders" in e["text"] for e in track["timeline"])


def test_an_agency_without_leaders_sends_the_appeal_to_its_parent(api, personas, reference_data, agencies):
    case, token = answered(personas)
    assert not Membership.objects.filter(agency=agencies["SO-NNMT-HN"], user__role=Role.LEADER).exists()
    with at(dt.date(2026, 6, 20)):
        assert appeal(api, case, token).status_code == 201
    case.refresh_from_db()
    assert case.agency == agencies["SO-NNMT-HN"].parent


def test_the_second_stage_goes_through_the_same_queue_and_review(api, personas, reference_data):
    case, token = answered(personas)
    with at(dt.date(2026, 6, 20)):
        appeal(api, case, token)
        queue = api_as(personas["leader"]).get("/api/v1/queue/").json()
        assert case.tracking_code in str(queue)
        staff = api_as(personas["leader"]).get(f"/api/v1/cases/{case.pk}/").json()
        assert (staff["stage"], staff["status"]) == (2, "appealed")
        page = Client()
        page.force_login(personas["leader"])
        assert "Giai đoạn hai" in page.get(f"/staff/cases/{case.pk}/").content.decode()
        case_claim(case=case, by=personas["leader"])
        case_answer_draft(case=case, by=personas["leader"], body="Quyết định sau khi xem xét lại.")
        case_submit_for_review(case=case, by=personas["leader"])
        case_approve(case=case, by=personas["leader"], version=2)
    case.refresh_from_db()
    assert (case.status, case.stage, case.closed_at is not None) == ("answered", 2, True)
    [decided] = Notification.objects.filter(template="case_appeal_decided")
    assert decided.context["answer"] == "Quyết định sau khi xem xét lại."
    with at(dt.date(2026, 6, 22)):
        track = api.get(
            f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token, HTTP_ACCEPT_LANGUAGE="en"
        ).json()
        assert track["answer"] == "Quyết định sau khi xem xét lại."
        assert any("reconsidered the answer" in e["text"] for e in track["timeline"])
        again = appeal(api, case, token, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


def test_one_appeal_and_not_after_the_period(api, personas, reference_data):
    case, token = answered(personas)
    # Answered on 10 June: the 30 days run out on 10 July, the last day to appeal.
    with at(dt.date(2026, 7, 11)):
        late = appeal(api, case, token, HTTP_ACCEPT_LANGUAGE="en")
        track = api.get(f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token).json()
    assert late.status_code == 409
    assert "ended on 10/07/2026" in late.json()["detail"]
    assert track["can_appeal"] is False
    with at(dt.date(2026, 7, 10), hour=23):
        track = api.get(f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token).json()
        assert (track["can_appeal"], track["appeal_until"]) == (True, "2026-07-10")
        assert appeal(api, case, token).status_code == 201
        second = appeal(api, case, token, HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 409 and "already appealed" in second.json()["detail"]
    assert Case.objects.get(pk=case.pk).events.filter(type=EventType.APPEALED).count() == 1


def test_bad_appeals_are_refused_clearly(api, personas, reference_data):
    open_case, open_token = submit_case()
    response = appeal(api, open_case, open_token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "answered" in response.json()["detail"]
    case, token = answered(personas)
    with at(dt.date(2026, 6, 20)):
        for reason in ["", "   "]:
            empty = appeal(api, case, token, reason=reason)
            assert empty.status_code == 400 and "reason" in empty.json()
        assert appeal(api, case, "not-the-token").status_code == 404
        missing = api.post(
            f"/api/v1/cases/track/{case.tracking_code}/appeal/", {}, format="json", HTTP_X_ACCESS_TOKEN=token
        )
        assert missing.status_code == 400 and "reason" in missing.json()
    case.refresh_from_db()
    assert (case.status, case.stage) == ("answered", 1)


def test_the_track_page_offers_the_appeal_and_keeps_a_refused_text(web, personas, reference_data):
    case, token = answered(personas)
    with at(dt.date(2026, 6, 20)):
        page = web.post("/track/", {"code": case.tracking_code, "token": token}, follow=True)
        assert 'name="reason"' in page.content.decode()
        refused = web.post(f"/track/{case.tracking_code}/appeal/", {"reason": "  "})
        assert refused.status_code == 400
        assert 'id="id_reason-error"' in refused.content.decode()
        sent = web.post(f"/track/{case.tracking_code}/appeal/", {"reason": "Tôi không đồng ý."}, follow=True)
        assert sent.status_code == 200
        case.refresh_from_db()
        assert case.status == "appealed"
        again = web.post(f"/track/{case.tracking_code}/appeal/", {"reason": "Lần nữa, giữ nguyên chữ."})
        assert again.status_code == 409
        assert "Lần nữa, giữ nguyên chữ." in again.content.decode()


def test_reports_count_appeals_and_the_reopen_rate_per_agency(api, personas, reference_data, agencies):
    first, token = answered(personas)
    answered(personas)
    with at(dt.date(2026, 6, 20)):
        appeal(api, first, token)
    agency = agencies["SO-NNMT-HN"]
    hanoi = agencies["UBND-HN"]
    grouped = report_figures(
        scope=Scope(paths=(hanoi.path,), agency=hanoi), period=quarter_period(2026, 2), group_by=("agency",)
    )
    figures = grouped[(agency.pk,)]
    assert (figures.answered, figures.appeals, figures.reopen_rate) == (2, 1, 0.5)
    # Both first answers were given the day they arrived, on time: the appeal's new clock changes neither.
    assert (figures.answered_on_time, figures.median_days) == (2, 0)
    assert figures.as_dict()["reopen_rate"] == 0.5


def test_a_split_part_is_not_appealed_on_its_own_but_the_whole_is(api, personas, reference_data, agencies):
    from caunoi.cases.services import case_split

    with time_machine.travel(ANSWERED_AT, tick=False):
        whole, token = submit_case()
        parts = case_split(case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
        for part in parts:
            case_claim(case=part, by=personas["leader"])
            case_answer_draft(case=part, by=personas["leader"], body=f"Phần {part.agency.code}.")
            case_submit_for_review(case=part, by=personas["leader"])
            case_approve(case=part, by=personas["leader"], version=1)
    with at(dt.date(2026, 6, 20)):
        refused = appeal(api, parts[0], token, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 409 and "whole" in refused.json()["detail"]
        assert appeal(api, whole, token).status_code == 201
        case_claim(case=whole, by=personas["leader"])  # the whole is handled directly in its second stage
    whole.refresh_from_db()
    assert (whole.status, whole.stage) == ("in_progress", 2)


def test_the_public_item_carries_the_decision_not_the_answer_it_replaced(api, personas, reference_data):
    from caunoi.publication.models import PublishedItem
    from caunoi.publication.services import item_publish

    from tests.support.publication import answered_case

    with time_machine.travel(ANSWERED_AT, tick=False):
        case = answered_case(personas)
        item = PublishedItem.objects.get(case=case)
        item_publish(item=item, by=personas["moderator"])
    with at(dt.date(2026, 6, 20)):
        case_appeal(case=case, reason="Chưa nói nộp hồ sơ ở đâu.")
        case_claim(case=case, by=personas["leader"])
        case_answer_draft(
            case=case, by=personas["leader"], body="Quyết định mới: nộp tại bộ phận một cửa; gọi 0912 345 678 nếu cần."
        )
        case_submit_for_review(case=case, by=personas["leader"])
        case_approve(case=case, by=personas["leader"], version=2)
    item.refresh_from_db()
    assert item.status == "published"
    assert item.answer.startswith("Quyết định mới: nộp tại bộ phận một cửa")
    assert "0912 345 678" not in item.answer  # the asker's phone, found in the decision, stays hidden
    assert item.revisions.count() == 2  # the first answer is kept in the history, with the reason
