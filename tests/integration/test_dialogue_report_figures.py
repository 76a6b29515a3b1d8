"""Dialogue figures in reports (no longer a stub reading 0): questions received, approved, answered live,
turned into cases, viewers at the peak and in all, per dialogue and per agency; the room's hub records the
audience figures as people watch."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.hub import Hub, Viewer
from caunoi.dialogues.models import Dialogue, State
from caunoi.dialogues.services import (
    answer_publish,
    dialogue_advance,
    question_approve,
    question_ask,
    question_reject,
)
from caunoi.dialogues.testing import make_dialogue
from caunoi.reports.hooks import dialogue_figures, dialogue_participation
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db
YEAR = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))


def run_dialogue(agency, personas, *, answered: int, unanswered: int, rejected: int, peak: int, people: int):
    dialogue = make_dialogue(agency=agency, hosts=[personas["leader"]], moderators=[personas["moderator"]])
    moderator, host = personas["moderator"], personas["leader"]
    for number in range(answered + unanswered + rejected):
        question = question_ask(dialogue=dialogue, asker_name="An", text=f"Câu hỏi số {number} về đất đai?")
        if number >= answered + unanswered:
            question_reject(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
            continue
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
        if number < answered:
            answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Đã trả lời.", by=host)
    question_ask(dialogue=dialogue, asker_name="Bình", text="Câu hỏi còn chờ duyệt?")
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=host)
    Dialogue.objects.filter(pk=dialogue.pk).update(viewers_peak=peak, viewers_total=people)
    return dialogue


def test_figures_per_dialogue_and_per_agency(personas, reference_data):
    agencies = reference_data["agencies"]
    city = run_dialogue(agencies["UBND-HN"], personas, answered=2, unanswered=1, rejected=1, peak=900, people=4000)
    land = run_dialogue(agencies["SO-NNMT-HN"], personas, answered=1, unanswered=2, rejected=0, peak=300, people=700)
    run_dialogue(agencies["BO-GDDT"], personas, answered=1, unanswered=0, rejected=0, peak=50, people=60)
    hanoi = [agencies["UBND-HN"].path]

    rows, by_agency = dialogue_figures(hanoi, *YEAR)

    assert [row["dialogue"] for row in rows] == [city, land]
    first = rows[0]
    assert (first["questions_received"], first["questions_approved"], first["answered_live"]) == (5, 3, 2)
    assert (first["turned_into_cases"], first["viewers_peak"], first["viewers_total"]) == (1, 900, 4000)
    assert [row["agency"].code for row in by_agency] == sorted(
        ["UBND-HN", "SO-NNMT-HN"], key=lambda code: agencies[code].name
    )
    assert sum(row["turned_into_cases"] for row in by_agency) == 3
    assert dialogue_participation(hanoi, *YEAR) == 5 + 4


def test_the_dashboard_shows_them(personas, reference_data):
    run_dialogue(
        reference_data["agencies"]["UBND-HN"], personas, answered=1, unanswered=1, rejected=0, peak=12, people=34
    )
    client = Client()
    client.force_login(personas["admin"])
    html = client.get("/staff/reports/", {"period": f"{dt.date.today().year}"}).content.decode()
    section = html[html.index('id="dialogues-title"') :]
    assert "Đối thoại về đất đai với người dân Hà Nội" in section
    assert "<td>12</td><td>34</td>" in section and "data-dialogue-agencies" in section


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_room_records_its_peak_and_how_many_people_watched(personas, reference_data):
    redis_client().flushdb()
    dialogue = await sync_to_async(make_dialogue)(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[]
    )
    hub = Hub(count_every=3600)  # counted by hand below

    async def send(message):
        return None

    viewers = [Viewer(send, staff=False, on_slow=lambda: None) for _ in range(3)]
    room = None
    for viewer, who in zip(viewers, ["u:1", "d:abc", "u:1"], strict=True):  # one person on two devices
        room = await hub.join(dialogue.pk, viewer, who)
    assert await room.count_viewers_once(1_000_000.0) == 3
    room.remove(viewers[0])
    room.remove(viewers[1])
    await hub.join(dialogue.pk, Viewer(send, staff=False, on_slow=lambda: None), "ip:10.0.0.9")
    await room.count_viewers_once(1_000_001.0)
    stored = await Dialogue.objects.aget(pk=dialogue.pk)
    assert (stored.viewers_peak, stored.viewers_total) == (3, 3)  # the peak stays; three different people
    await hub.shutdown()
    await sync_to_async(connection.close_pool)()
