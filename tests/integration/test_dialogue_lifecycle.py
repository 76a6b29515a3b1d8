"""Scheduling a dialogue (with the Decree 154/2026 notice warning), moving it through its states, and what
happens when it ends: approved questions not answered on air become routed cases with deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import Case, Channel
from caunoi.core.errors import ValidationFailed
from caunoi.dialogues.models import DialogueMessage, QuestionStatus, State
from caunoi.dialogues.services import (
    DialogueStateError,
    answer_publish,
    dialogue_advance,
    dialogue_schedule,
    notice_is_short,
    question_approve,
    question_ask,
    question_mark_answered,
    question_reject,
)
from caunoi.dialogues.testing import make_dialogue
from caunoi.notifications.models import Notification

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def schedule(personas, reference_data, **overrides):
    start = dt.datetime(2026, 12, 21, 9, tzinfo=VN)
    fields = {
        "by": personas["leader"],
        "title": "Đối thoại về giải phóng mặt bằng",
        "description": "Lãnh đạo thành phố gặp người dân.",
        "agency": reference_data["agencies"]["UBND-HN"],
        "hosts": [personas["leader"]],
        "moderators": [personas["moderator"]],
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "stream_url": "https://video.example.org/live",
    }
    return dialogue_schedule(**{**fields, **overrides})


@time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=VN), tick=False)
def test_a_leader_schedules_a_dialogue(personas, reference_data):
    dialogue = schedule(personas, reference_data)
    assert dialogue.state == State.SCHEDULED
    assert list(dialogue.hosts.all()) == [personas["leader"]]
    assert list(dialogue.moderators.all()) == [personas["moderator"]]


@time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=VN), tick=False)
def test_scheduling_rules(personas, reference_data):
    with pytest.raises(ValidationFailed) as refused:
        schedule(personas, reference_data, hosts=[personas["official_a"]])
    assert set(refused.value.errors) == {"hosts"}
    start = dt.datetime(2026, 12, 21, 9, tzinfo=VN)
    with pytest.raises(ValidationFailed) as refused:
        schedule(personas, reference_data, ends_at=start, hosts=[])
    assert set(refused.value.errors) == {"hosts", "ends_at"}
    with pytest.raises(ValidationFailed) as refused:
        schedule(personas, reference_data, starts_at=dt.datetime(2026, 11, 30, tzinfo=VN))
    assert set(refused.value.errors) == {"starts_at"}


@pytest.mark.parametrize(
    ("today", "start", "short"),
    [
        # Monday 7/12: Tue–Fri are 4 working days before Monday 14/12, 5 before Tuesday 15/12.
        ((2026, 12, 7), (2026, 12, 14), True),
        ((2026, 12, 7), (2026, 12, 15), False),
        # 30/4 and 1/5 are public holidays: a week of calendar days before 6/5 holds only 3 working days.
        ((2026, 4, 28), (2026, 5, 6), True),
        ((2026, 4, 28), (2026, 5, 8), False),
    ],
)
def test_notice_counts_working_days(today, start, short):
    with time_machine.travel(dt.datetime(*today, 10, tzinfo=VN), tick=False):
        assert notice_is_short(dt.datetime(*start, 9, tzinfo=VN)) is short


def test_states_only_move_forward(personas, reference_data):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[], state=State.SCHEDULED
    )
    with pytest.raises(DialogueStateError):
        dialogue_advance(dialogue_id=dialogue.pk, to_state=State.LIVE, by=personas["leader"])
    for state in (State.OPEN, State.LIVE, State.ENDED, State.PUBLISHED):
        dialogue_advance(dialogue_id=dialogue.pk, to_state=state, by=personas["leader"])
    frames = list(DialogueMessage.objects.filter(dialogue=dialogue, type="state").values_list("payload", flat=True))
    assert frames == [{"state": s} for s in ("open_for_questions", "live", "ended", "published")]
    with pytest.raises(DialogueStateError):
        dialogue_advance(dialogue_id=dialogue.pk, to_state=State.LIVE, by=personas["leader"])


def test_unanswered_approved_questions_become_routed_cases_when_the_dialogue_ends(personas, reference_data):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    moderator, host = personas["moderator"], personas["leader"]

    def asked(text: str, **contact):
        return question_ask(dialogue=dialogue, asker_name="Nguyễn Văn Bình", text=text, **contact)

    answered = asked("Câu hỏi đã được trả lời trên sóng?")
    waiting_email = asked("Khi nào cấp sổ đỏ cho khu tập thể Kim Liên?", email="binh@example.org")
    waiting_phone = asked("Tiền đền bù được trả khi nào?", phone="0912 345 678")
    rejected = asked("Một câu hỏi không phù hợp?")
    pending = asked("Một câu hỏi chưa kịp duyệt?")
    for question in (answered, waiting_email, waiting_phone, rejected):
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
    question_reject(dialogue_id=dialogue.pk, question_id=rejected.pk, by=moderator)
    answer_publish(dialogue_id=dialogue.pk, question_id=answered.pk, text="Đã trả lời.", by=host)
    question_mark_answered(dialogue_id=dialogue.pk, question_id=answered.pk, by=host)  # already: a no-op

    result = dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=host)

    assert {q.pk for q in result.cases_opened} == {waiting_email.pk, waiting_phone.pk}
    cases = Case.objects.filter(channel=Channel.DIALOGUE).order_by("id")
    assert [c.body.splitlines()[0] for c in cases] == [waiting_email.text, waiting_phone.text]
    for case in cases:
        # Within the dialogue's agency (UBND-HN has no rule of its own for these: the agency itself).
        assert case.agency.code == "UBND-HN" and case.routing_explanation["within"]
        assert case.due_at is not None and case.contact_name == "Nguyễn Văn Bình"
    waiting_email.refresh_from_db()
    assert waiting_email.case == cases[0] and waiting_email.status == QuestionStatus.APPROVED
    receipts = Notification.objects.filter(template="case_received").order_by("id")
    assert [(n.channel, n.recipient) for n in receipts] == [("email", "binh@example.org"), ("sms", "0912 345 678")]
    assert receipts[0].context["tracking_code"] == cases[0].tracking_code
    pending.refresh_from_db()
    assert pending.case is None
