"""The hub's rooms live and die cleanly: a room whose subscription failed leaves nothing behind (its linger
timer cannot evict the next room, and a process never holds two subscriptions for one dialogue); finished
gap-fill tasks are not kept."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.hub import Hub, Viewer
from caunoi.dialogues.services import question_approve, question_ask, room_channel
from caunoi.dialogues.testing import make_dialogue
from django.db import connection

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
LINGER = 0.05


@pytest_asyncio.fixture
async def room_hub():
    redis_client().flushdb()
    current = Hub(linger=LINGER)
    yield current
    await current.shutdown()
    await sync_to_async(connection.close_pool)()


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


def viewer() -> Viewer:
    async def send(message):
        return None

    return Viewer(send, staff=False, on_slow=lambda: None)


def subscriptions(dialogue_id: int) -> int:
    return int(dict(redis_client().pubsub_numsub(room_channel(dialogue_id)))[room_channel(dialogue_id).encode()])


async def test_a_failed_join_leaves_nothing_that_could_evict_the_next_room(room_hub, dialogue, monkeypatch):
    real_pubsub = room_hub.redis.pubsub
    calls = {"n": 0}

    def failing_once():
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("Redis is restarting")
        return real_pubsub()

    monkeypatch.setattr(room_hub.redis, "pubsub", failing_once)
    first, second = viewer(), viewer()
    with pytest.raises(ConnectionError):
        await room_hub.join(dialogue.pk, first)
    assert dialogue.pk not in room_hub.rooms

    room = await room_hub.join(dialogue.pk, second)
    await asyncio.sleep(LINGER * 6)  # longer than any linger timer the failed room could have left

    assert room_hub.rooms.get(dialogue.pk) is room and not room.closed
    third = viewer()
    assert await room_hub.join(dialogue.pk, third) is room
    assert await sync_to_async(subscriptions)(dialogue.pk) == 1


async def test_several_joins_while_the_room_starts_share_one_subscription(room_hub, dialogue):
    rooms = await asyncio.gather(*(room_hub.join(dialogue.pk, viewer()) for _ in range(5)))
    assert len({id(room) for room in rooms}) == 1
    assert await sync_to_async(subscriptions)(dialogue.pk) == 1


async def test_an_empty_room_lingers_then_closes_and_a_new_one_starts_cleanly(room_hub, dialogue):
    first = viewer()
    room = await room_hub.join(dialogue.pk, first)
    room.remove(first)
    await asyncio.sleep(LINGER * 6)
    assert room.closed and dialogue.pk not in room_hub.rooms
    again = await room_hub.join(dialogue.pk, viewer())
    assert again is not room
    await asyncio.sleep(0.1)  # the old subscription's close has run
    assert await sync_to_async(subscriptions)(dialogue.pk) == 1


async def test_finished_gap_fills_are_not_kept(room_hub, dialogue, personas):
    room = await room_hub.join(dialogue.pk, viewer())
    baseline = len(room._tasks)  # the subscription reader and the viewer counter
    for round_ in range(3):
        question = await sync_to_async(question_ask)(dialogue=dialogue, asker_name="An", text=f"Câu hỏi {round_}?")
        await sync_to_async(question_approve)(
            dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"]
        )
        # A frame from the future: the room holds it and fills the gap from the database after GAP_WAIT.
        room.on_wire(f"p:{room.next_seq + 5}:{{}}")
        await asyncio.sleep(0.6)
    assert len(room._tasks) == baseline


async def test_a_viewer_is_not_sent_again_what_its_replay_held_when_the_room_is_behind(room_hub, dialogue, personas):
    """The database can be ahead of the room (a publish follows its commit): a viewer whose replay already
    held numbers the room delivers afterwards gets each number once. (Seen as duplicates in the restart storm.)"""
    sent: list[int] = []

    async def send(message):
        sent.append(json.loads(message["text"])["seq"])

    watcher = Viewer(send, staff=False, on_slow=lambda: None)
    room = await room_hub.join(dialogue.pk, watcher)
    behind = room.next_seq
    room.go_live(watcher, upto=behind + 1)  # its replay held two numbers the room has not delivered yet
    for seq in (behind, behind + 1, behind + 2):
        room.on_wire(f'p:{seq}:{{"seq":{seq}}}')
    assert sent == [behind + 2]


async def test_a_removed_moderator_stops_receiving_staff_frames_within_a_round(room_hub, dialogue, personas):
    moderator = personas["moderator"]
    sent: list[str] = []

    async def send(message):
        sent.append(json.loads(message["text"]).get("type"))

    desk = Viewer(send, staff=True, on_slow=lambda: None, user_id=moderator.pk)
    room = await room_hub.join(dialogue.pk, desk)
    room.go_live(desk, upto=room.next_seq - 1)
    await room.count_viewers_once(time.time())
    assert desk.staff is True

    await sync_to_async(dialogue.moderators.remove)(moderator)
    await room.count_viewers_once(time.time())
    assert desk.staff is False
    seq = room.next_seq
    room.on_wire(f's:{seq}:{{"seq":{seq},"type":"question_submitted"}}')
    assert "question_submitted" not in sent  # the waiting question (and its asker's name) no longer reaches them
