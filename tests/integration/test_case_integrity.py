"""No case is left behind: a primary's outcome reaches its duplicates, a split whole is answered only through
its parts, and the database refuses rows that would break these rules whoever writes them."""

import pytest
from caunoi.cases.models import Case, Extension
from caunoi.cases.services import (
    InvalidTransition,
    case_answer_draft,
    case_approve,
    case_claim,
    case_link_duplicate,
    case_reject,
    case_split,
    case_submit_for_review,
)
from caunoi.notifications.models import Notification
from django.db import IntegrityError, transaction

from tests.conftest import api_as
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


def answer(case: Case, personas, body: str = "Câu trả lời.") -> None:
    case_claim(case=case, by=personas["leader"])
    case_answer_draft(case=case, by=personas["leader"], body=body)
    case_submit_for_review(case=case, by=personas["leader"])
    case_approve(case=case, by=personas["leader"], version=1)


def open_orphans() -> list[str]:
    """Open cases nobody will ever answer: duplicates of a closed primary, parts of a closed whole."""
    open_cases = Case.objects.filter(closed_at__isnull=True)
    stranded = open_cases.filter(duplicate_of__closed_at__isnull=False) | open_cases.filter(
        split_from__closed_at__isnull=False
    )
    return list(stranded.values_list("tracking_code", flat=True))


def with_duplicates(personas, n: int = 2) -> tuple[Case, list[Case]]:
    primary, _ = submit_case(email="a@example.org")
    duplicates = [submit_case(email=f"d{i}@example.org")[0] for i in range(n)]
    for duplicate in duplicates:
        case_link_duplicate(case=duplicate, by=personas["official_a"], primary=primary)
    return primary, duplicates


def test_rejecting_a_primary_closes_its_duplicates_and_tells_each_asker(personas, reference_data):
    primary, duplicates = with_duplicates(personas)
    case_reject(case=primary, by=personas["leader"], reason="Là khiếu nại.", pointer="Luật Khiếu nại 2011.")
    for duplicate in duplicates:
        duplicate.refresh_from_db()
        assert (duplicate.status, duplicate.closed_at is not None) == ("rejected", True)
    told = Notification.objects.filter(template="case_rejected")
    assert sorted(n.recipient for n in told) == ["a@example.org", "d0@example.org", "d1@example.org"]
    assert {n.context["pointer"] for n in told} == {"Luật Khiếu nại 2011."}
    assert open_orphans() == []


def test_splitting_a_primary_answers_its_duplicates_with_the_combined_answer(personas, reference_data, agencies):
    primary, duplicates = with_duplicates(personas, 1)
    parts = case_split(case=primary, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    told = Notification.objects.filter(template="case_split").values_list("recipient", flat=True)
    assert sorted(told) == ["a@example.org", "d0@example.org"]  # the duplicate's asker hears of the split too
    for part in parts:
        answer(part, personas, body=f"Phần của {part.agency.code}.")
    duplicates[0].refresh_from_db()
    assert duplicates[0].status == "answered"
    body = duplicates[0].answer_versions.get().body
    assert "Phần của SO-NNMT-HN." in body and "Phần của SO-XD-HN." in body
    assert "d0@example.org" in Notification.objects.filter(template="case_answered").values_list("recipient", flat=True)
    assert open_orphans() == []


def test_a_whole_whose_parts_are_all_closed_is_closed_even_when_a_part_was_rejected(personas, reference_data, agencies):
    whole, _ = submit_case()
    first, second = case_split(
        case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]]
    )
    answer(first, personas, body="Trả lời phần đất đai.")
    case_reject(case=second, by=personas["leader"], reason="Không thuộc thẩm quyền.", pointer="Tòa án.")
    whole.refresh_from_db()
    assert whole.status == "answered"
    assert "Trả lời phần đất đai." in whole.answer_versions.get().body
    assert "Không thuộc thẩm quyền." in whole.answer_versions.get().body

    other, _ = submit_case()
    parts = case_split(case=other, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    for part in parts:
        case_reject(case=part, by=personas["leader"], reason="Ngoài phạm vi.", pointer="")
    other.refresh_from_db()
    assert (other.status, other.closed_at is not None) == ("rejected", True)


@pytest.mark.parametrize("action", ["claim", "approve", "assign", "transfer", "reject", "extend", "link_duplicate"])
def test_a_split_whole_refuses_direct_handling_while_parts_are_open(personas, reference_data, agencies, action):
    whole, _ = submit_case()
    case_split(case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    data = {
        "assign": {"assignee": "official-a"},
        "transfer": {"agency": "SO-XD-HN", "reason": "Thuộc lĩnh vực xây dựng."},
        "reject": {"reason": "x", "pointer": "y"},
        "extend": {"days": 5, "reason": "Cần xác minh."},
        "link_duplicate": {"primary": submit_case()[0].tracking_code},
        "approve": {"version": 1},
    }.get(action, {})
    response = api_as(personas["leader"]).post(
        f"/api/v1/cases/{whole.id}/{action}/", data, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409, response.json()
    assert "split into parts" in response.json()["detail"]
    whole.refresh_from_db()
    assert (whole.status, whole.assignee, whole.closed_at) == ("received", None, None)
    note = api_as(personas["leader"]).post(f"/api/v1/cases/{whole.id}/note/", {"body": "Ghi chú."}, format="json")
    assert note.status_code == 200


def test_a_split_part_cannot_be_merged_away_from_its_whole(personas, reference_data, agencies):
    whole, _ = submit_case()
    part, _second = case_split(
        case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]]
    )
    other, _ = submit_case()
    with pytest.raises(InvalidTransition):
        case_link_duplicate(case=part, by=personas["leader"], primary=other)


def test_merge_and_split_are_told_to_the_citizen_and_shown_on_the_track_page(personas, reference_data, agencies, api):
    primary, _ = submit_case(email="a@example.org")
    duplicate, token = submit_case(email="b@example.org")
    case_link_duplicate(case=duplicate, by=personas["official_a"], primary=primary)
    [merged] = Notification.objects.filter(template="case_merged")
    assert merged.recipient == "b@example.org"
    track = api.get(
        f"/api/v1/cases/track/{duplicate.tracking_code}/", HTTP_X_ACCESS_TOKEN=token, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert any("same answer" in e["text"] for e in track.json()["timeline"]), track.json()["timeline"]
    assert primary.tracking_code not in str(track.json())  # another citizen's case stays private

    whole, token = submit_case(email="c@example.org")
    case_split(case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    [split] = Notification.objects.filter(template="case_split")
    assert split.recipient == "c@example.org" and len(split.context["agencies"]) == 2
    track = api.get(f"/api/v1/cases/track/{whole.tracking_code}/", HTTP_X_ACCESS_TOKEN=token, HTTP_ACCEPT_LANGUAGE="en")
    assert any("several agencies" in e["text"] for e in track.json()["timeline"])


def test_staff_are_not_reminded_of_duplicates_or_of_a_split_whole_while_parts_are_open(
    personas, reference_data, agencies
):
    import datetime as dt

    import time_machine
    from caunoi.cases.models import SweepMark
    from caunoi.cases.services.sweep import deadline_sweep

    vn = dt.timezone(dt.timedelta(hours=7))
    with time_machine.travel(dt.datetime(2026, 6, 8, 9, tzinfo=vn), tick=False):
        primary, duplicates = with_duplicates(personas, 1)
        whole, _ = submit_case()
    with time_machine.travel(dt.datetime(2026, 6, 25, 9, tzinfo=vn), tick=False):
        parts = case_split(case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    deadline_sweep(now=dt.datetime(2026, 7, 1, 9, tzinfo=vn))  # the three first cases were due on 29 June
    overdue = set(SweepMark.objects.filter(mark="overdue").values_list("case_id", flat=True))
    assert overdue == {primary.pk}
    assert not SweepMark.objects.filter(case_id__in=[duplicates[0].pk, whole.pk]).exists()  # forwarding too
    assert not SweepMark.objects.filter(case_id__in=[p.pk for p in parts], mark="overdue").exists()


def _violates(**changes) -> bool:
    case, _ = submit_case()
    try:
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(**{k: (case.pk if v == "self" else v) for k, v in changes.items()})
    except IntegrityError:
        return True
    return False


def test_the_database_refuses_broken_cases(reference_data):
    assert _violates(duplicate_of_id="self")
    assert _violates(split_from_id="self")
    assert _violates(status="answered")  # closed_at still NULL
    assert _violates(status="rejected")
    assert not _violates(status="in_progress")


@pytest.mark.parametrize(("days", "refused"), [(0, True), (31, True), (1, False), (30, False)])
def test_the_database_refuses_extensions_out_of_range(personas, reference_data, days, refused):
    case, _ = submit_case()
    try:
        with transaction.atomic():
            Extension.objects.create(
                case=case, clock_started_on=case.clock_started_on, days=days, reason="x", approved_by=personas["leader"]
            )
    except IntegrityError:
        assert refused
    else:
        assert not refused
