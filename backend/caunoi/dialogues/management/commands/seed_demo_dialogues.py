"""Demonstration dialogues for `make run` (after seed_demo, whose accounts and agencies they use): one live
now, with questions at every stage, and one scheduled, so the room can be watched right after start-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency, Area, Category
from caunoi.core import clock

from ...models import Dialogue, State
from ...services import answer_publish, question_approve, question_ask, question_pick, question_vote

LIVE_TITLE = "Lãnh đạo thành phố đối thoại với người dân về đất đai"
SCHEDULED_TITLE = "Đối thoại về chuyển đổi số trong thủ tục hành chính"
QUESTIONS = (
    # (asker, show name, text, what happens to it)
    ("Chị Hạnh", True, "Khi nào khu tập thể Kim Liên được cấp sổ đỏ?", "answered"),
    ("Anh Tuấn", False, "Tiền bồi thường giải phóng mặt bằng đường Vành đai 4 trả khi nào?", "now"),
    ("Ông Ba", False, "Thủ tục tách thửa đất ở phường Ba Đình cần giấy tờ gì?", "approved"),
    ("Bà Lan", False, "Xin hỏi giá đất mới áp dụng từ bao giờ?", "pending"),
)


class Command(BaseCommand):
    help = "Seeds one live and one scheduled dialogue. Idempotent: safe to run on every start."

    def handle(self, *args: Any, **options: Any) -> None:
        leader, moderator = User.objects.get(username="demo-leader"), User.objects.get(username="demo-moderator")
        agency = Agency.objects.get(code="UBND-HN")
        area = Area.objects.filter(code="tinh-01").first()
        now = clock.now()
        added = 0
        if not Dialogue.objects.filter(title=LIVE_TITLE).exists():
            # Stored directly: the scheduling service rightly refuses a start in the past.
            live = _dialogue(LIVE_TITLE, agency, area, leader, moderator, now - dt.timedelta(minutes=30), State.LIVE)
            for name, show_name, text, fate in QUESTIONS:
                question = question_ask(dialogue=live, asker_name=name, text=text, show_name=show_name)
                if fate == "pending":
                    continue
                question_approve(dialogue_id=live.pk, question_id=question.pk, by=moderator)
                question_vote(dialogue_id=live.pk, question_id=question.pk, voter=f"a:demo-{question.pk}")
                if fate == "answered":
                    answer_publish(
                        dialogue_id=live.pk,
                        question_id=question.pk,
                        text="Thành phố đã giao phường hoàn thiện hồ sơ; sổ được trao trong quý tới.",
                        by=leader,
                    )
                elif fate == "now":
                    question_pick(dialogue_id=live.pk, question_id=question.pk, by=leader)
            added += 1
        if not Dialogue.objects.filter(title=SCHEDULED_TITLE).exists():
            _dialogue(SCHEDULED_TITLE, agency, area, leader, moderator, now + dt.timedelta(days=10), State.SCHEDULED)
            added += 1
        self.stdout.write(f"seed_demo_dialogues: {added} demo dialogues added")


def _dialogue(
    title: str, agency: Agency, area: Area | None, host: User, moderator: User, start: dt.datetime, state: str
) -> Dialogue:
    dialogue = Dialogue.objects.create(
        title=title,
        description="Người dân gửi câu hỏi trước và trong buổi đối thoại; lãnh đạo trả lời trực tiếp.",
        agency=agency,
        area=area,
        category=Category.objects.filter(slug="dat-dai").first(),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        stream_url="https://www.youtube.com/@hanoitv",
        state=state,
        scheduled_by=host,
    )
    dialogue.hosts.set([host])
    dialogue.moderators.set([moderator])
    return dialogue
