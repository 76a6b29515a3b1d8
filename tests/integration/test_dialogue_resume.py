"""Nothing said in a room is lost: resuming with since=N, a slow viewer dropped (and told to resume), frames
published out of order or lost on Redis delivered in sequence from the database."""

from __future__ import annotations

import asyncio
import json

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.hub import CLOSE_TOO_SLOW, Viewer, hub, hub_shutdown
from caunoi.dialogues.models import DialogueMessage
from caunoi.dialogues.services import question_approve, question_ask, room_channel
from caunoi.dialogues.services.broadcast import wire_message
from caunoi.dialogues.testing import make_dialogue, room_communicator
from django.db import connection, transaction

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def _clean_hub():
    redis_client().flushdb()
    yield
    await hub_shutdown()
    # Connections the room opened from worker threads sit in the pool; the test database is dropped at the end.
    await sync_to_async(connection.close_pool)()


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


def ask_and_approve(dialogue, moderator, count: int, start: int = 0) -> list[int]:
    ids = []
    for i in range(start, start + count):
        question = question_ask(dialogue=dialogue, asker_name="An", text=f"Câu hỏi số {i} về đất đai?")
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
        ids.append(question.pk)
    return ids


async def frames_until_seq(communicator, seq: int) -> list[dict]:
    frames = []
    while not frames or frames[-1].get("seq") != seq:
        frame = json.loads(await communicator.receive_from(timeout=3))
        if "seq" in frame:
            frames.append(frame)
    return frames


async def test_resume_after_a_forced_disconnect_loses_nothing(dialogue, personas):
    moderator = personas["moderator"]
    viewer = room_communicator(dialogue.pk)
    assert (await viewer.connect())[0]
    assert json.loads(await viewer.receive_from())["data"]["last_seq"] == 0
    await sync_to_async(ask_and_approve)(dialogue, moderator, 3)
    # Public frames only: the approvals are seqs 2, 4, 6 (the submissions 1, 3, 5 are for staff).
    seen = await frames_until_seq(viewer, 6)
    assert [f["seq"] for f in seen] == [2, 4, 6]
    await viewer.disconnect()  # forced: the connection drops

    await sync_to_async(ask_and_approve)(dialogue, moderator, 4, start=3)  # said while the viewer was away

    resumed = room_communicator(dialogue.pk, since=seen[-1]["seq"])
    assert (await resumed.connect())[0]
    hello = json.loads(await resumed.receive_from())
    assert hello["data"]["last_seq"] == 14
    missed = await frames_until_seq(resumed, 14)
    assert [f["seq"] for f in missed] == [8, 10, 12, 14]
    stored = await sync_to_async(list)(
        DialogueMessage.objects.filter(dialogue=dialogue, seq__gt=6, audience="public").values_list("frame", flat=True)
    )
    assert [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in missed] == stored
    # And it is live again, with no duplicate of what it was replayed.
    await sync_to_async(ask_and_approve)(dialogue, moderator, 1, start=10)
    assert [f["seq"] for f in await frames_until_seq(resumed, 16)] == [16]
    await resumed.disconnect()


async def test_staff_resume_includes_staff_frames(dialogue, personas):
    from caunoi.dialogues.testing import cookie_header

    await sync_to_async(ask_and_approve)(dialogue, personas["moderator"], 2)
    cookies = await sync_to_async(cookie_header)(personas["moderator"])
    staff = room_communicator(dialogue.pk, cookies=cookies, since=1)
    assert (await staff.connect())[0]
    json.loads(await staff.receive_from())
    assert [f["seq"] for f in await frames_until_seq(staff, 4)] == [2, 3, 4]
    await staff.disconnect()


async def test_frames_published_out_of_order_or_lost_arrive_in_sequence(dialogue, personas):
    """Two services committing at once may publish in the other order; a publish may be lost. The room holds
    the early frame and fills the gap from the database."""
    viewer = room_communicator(dialogue.pk)
    assert (await viewer.connect())[0]
    json.loads(await viewer.receive_from())

    def store_without_publishing(count: int) -> list[tuple[int, str]]:
        with transaction.atomic():
            from caunoi.dialogues.services import message_broadcast

            rows = [
                message_broadcast(dialogue_id=dialogue.pk, type_="state", data={"state": "live", "n": i})
                for i in range(count)
            ]
            transaction.get_connection().run_on_commit = []  # the publishes are done by hand below
        return rows

    rows = await sync_to_async(store_without_publishing)(3)
    (s1, _), (s2, f2), (s3, f3) = rows
    channel = room_channel(dialogue.pk)
    redis_client().publish(channel, wire_message("public", s3, f3))  # the newest first …
    redis_client().publish(channel, wire_message("public", s2, f2))  # … and the oldest never
    got = [json.loads(await viewer.receive_from(timeout=3)) for _ in range(3)]
    assert [f["seq"] for f in got] == [s1, s2, s3]
    await viewer.disconnect()


async def test_a_viewer_that_cannot_keep_up_is_dropped_without_slowing_the_others(dialogue, personas):
    room_hub = hub()
    blocked = asyncio.Event()  # never set: this viewer's socket buffer is full
    delivered: list[str] = []
    dropped: list[str] = []

    async def slow_send(message):
        await blocked.wait()

    async def fast_send(message):
        delivered.append(message["text"])

    async def gone_send(message):
        raise ConnectionResetError  # what the server raises for a client that has gone

    slow = Viewer(slow_send, staff=False, on_slow=lambda: dropped.append("slow"))
    fast = Viewer(fast_send, staff=False, on_slow=lambda: dropped.append("fast"))
    gone = Viewer(gone_send, staff=False, on_slow=lambda: dropped.append("gone"))
    room = await room_hub.join(dialogue.pk, slow)
    for viewer in (fast, gone):
        await room_hub.join(dialogue.pk, viewer)
    for viewer in (slow, fast, gone):
        room.go_live(viewer, 0)
    await sync_to_async(ask_and_approve)(dialogue, personas["moderator"], 2)
    for _ in range(50):
        if len(delivered) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(delivered) == 2 and [json.loads(f)["seq"] for f in delivered] == [2, 4]
    assert dropped == ["slow"] and slow not in room.viewers and fast in room.viewers
    assert gone not in room.viewers  # removed quietly: its consumer is told by the server


async def test_a_slow_connection_is_closed_with_the_resume_code(dialogue, personas):
    viewer = room_communicator(dialogue.pk)
    assert (await viewer.connect())[0]
    json.loads(await viewer.receive_from())
    room = hub().rooms[dialogue.pk]
    (registered,) = room.viewers
    registered.on_slow()  # what the room does when the socket's buffer is full
    closed = await viewer.receive_output(timeout=3)
    assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_TOO_SLOW
