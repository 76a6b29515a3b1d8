"""Every reminder and escalation reaches a person: an agency without an active member of the needed role
passes it to the nearest agency above that has one, finally to the triage desk's leaders, and the event says
who was told and why. Escalation climbs one level per N working days late (the deadline policy's cadence)."""

import datetime as dt

import pytest
import time_machine
from caunoi.accounts.models import Role
from caunoi.cases.models import EventType
from caunoi.cases.services import case_claim
from caunoi.cases.services.sweep import deadline_sweep
from caunoi.notifications.models import Notification
from caunoi.notifications.rendering import render_message
from caunoi.workflows.registry import workflows

from tests.conftest import make_user
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=VN)


def staff(username, role, agency):
    user = make_user(username, role, [agency])
    user.email = f"{username}@agency.example"
    user.save()
    return user


def recipients(template):
    return sorted(Notification.objects.filter(template=template).values_list("recipient", flat=True))


@pytest.fixture
def with_email(personas):
    for name in ("official_a", "official_b", "leader"):
        personas[name].email = f"{name}@agency.example"
        personas[name].save()
    return personas


def test_a_reminder_for_an_agency_nobody_can_act_in_goes_to_the_nearest_agency_above(with_email, reference_data):
    with_email["official_a"].is_active = False  # SO-NNMT-HN's only official has left
    with_email["official_a"].save()
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case()
    assert deadline_sweep(now=at(2026, 6, 26)).reminded == 2
    assert recipients("staff_reminder") == ["leader@agency.example"] * 2  # the leader of UBND-HN, above it
    reminded = case.events.filter(type=EventType.REMINDED).first()
    assert reminded.payload["notified"] == ["leader"]
    assert reminded.payload["why"] == "nearest_above"
    assert (reminded.payload["meant_for"], reminded.payload["notified_agency"]) == ("SO-NNMT-HN", "UBND-HN")
    message = Notification.objects.filter(template="staff_reminder").first()
    body = render_message(template="staff_reminder", context=message.context, language="en").body
    assert "You receive this because Sở Nông nghiệp và Môi trường Hà Nội has no one who can act on it" in body


def test_a_reminder_for_an_assignee_who_left_goes_to_their_agency(with_email, reference_data):
    colleague = staff("official-a2", Role.OFFICIAL, reference_data["agencies"]["SO-NNMT-HN"])
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case()
        case_claim(case=case, by=with_email["official_a"])
    with_email["official_a"].is_active = False
    with_email["official_a"].save()
    deadline_sweep(now=at(2026, 6, 24))
    assert recipients("staff_reminder") == [colleague.email]
    assert case.events.get(type=EventType.REMINDED).payload["why"] == "agency"


def test_an_assignee_is_told_alone_and_the_event_says_so(with_email, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case()
        case_claim(case=case, by=with_email["official_a"])
    deadline_sweep(now=at(2026, 6, 24))
    payload = case.events.get(type=EventType.REMINDED).payload
    assert (payload["notified"], payload["why"]) == (["official-a"], "assignee")


def test_escalation_past_leaderless_agencies_reaches_the_triage_desks_leaders(with_email, reference_data):
    agencies = reference_data["agencies"]
    desk_leader = staff("desk-leader", Role.LEADER, agencies["VPCP-TIEPNHAN"])
    staff("desk-official", Role.OFFICIAL, agencies["VPCP-TIEPNHAN"])  # not a leader: not told
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case(category="giao-duc", title="Hỏi về học phí", body="Xin hỏi mức học phí năm học mới.")
    assert case.agency.code == "BO-GDDT"  # its parent, the Government (CP), has no leader here
    assert deadline_sweep(now=at(2026, 6, 30)).overdue == 1
    assert recipients("staff_escalation") == [desk_leader.email]
    payload = case.events.get(type=EventType.OVERDUE).payload
    assert payload["why"] == "triage_desk"
    message = Notification.objects.get(template="staff_escalation")
    body = render_message(template="staff_escalation", context=message.context, language="vi").body
    assert "Ông/Bà nhận thông báo này với vai trò bộ phận tiếp nhận" in body
    assert (payload["meant_for"], payload["notified_agency"], payload["notified"]) == (
        "CP",
        "VPCP-TIEPNHAN",
        ["desk-leader"],
    )


def test_when_nobody_at_all_can_be_told_the_event_says_so(with_email, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case(category="giao-duc", title="Hỏi về học phí", body="Xin hỏi mức học phí năm học mới.")
    deadline_sweep(now=at(2026, 6, 30))
    payload = case.events.get(type=EventType.OVERDUE).payload
    assert (payload["notified"], payload["why"]) == ([], "no_one")


def test_escalation_climbs_one_level_per_n_working_days_late(with_email, reference_data):
    agencies = reference_data["agencies"]
    top = staff("leader-cp", Role.LEADER, agencies["CP"])
    every = workflows().deadlines[max(workflows().deadlines)].escalation_every_working_days
    assert every == 5
    with time_machine.travel(at(2026, 6, 8), tick=False):  # due Monday 29 June at SO-NNMT-HN (UBND-HN, then CP)
        case, _ = submit_case()
    assert deadline_sweep(now=at(2026, 6, 30)).overdue == 1
    assert recipients("staff_escalation") == ["leader@agency.example"]
    assert deadline_sweep(now=at(2026, 7, 6)).escalated == 0  # 4 working days late (30 June to 3 July)
    assert deadline_sweep(now=at(2026, 7, 7)).escalated == 1  # 5 working days late: one level up
    assert recipients("staff_escalation") == [top.email, "leader@agency.example"]
    message = Notification.objects.get(template="staff_escalation", recipient=top.email)
    body = render_message(template="staff_escalation", context=message.context, language="en").body
    assert "The case is still late: this is escalation level 2." in body
    escalated = case.events.get(type=EventType.ESCALATED).payload
    assert (escalated["mark"], escalated["notified_agency"], escalated["level"]) == ("escalate:2", "CP", 2)
    result = deadline_sweep(now=at(2026, 8, 31))
    assert (result.overdue, result.escalated) == (0, 0)  # the top of the tree: nowhere further to climb
