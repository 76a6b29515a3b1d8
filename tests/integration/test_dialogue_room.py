"""The live room over its websocket (channels' WebsocketCommunicator on the project's ASGI application, real
PostgreSQL and Redis): every action, who may take it, what everyone receives, bad frames, rate limits."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from caunoi.core.redis_client import redis_client
from caunoi.dialogues import ratelimit
from caunoi.dialogues.hub import hub_shutdown
from caunoi.dialogues.models import DialogueMessage, DialogueQuestion, LiveAnswer, QuestionStatus, State, Vote
from caunoi.dialogues.testing import cookie_header, make_dialogue, room_communicator
from django.db import connection

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def _clean_hub():
    redis_client().flushdb()  # rate-limit counters of earlier tests (this Redis db is the dialogues tests' own)
    yield
    await hub_shutdown()
    # Connections the room opened from worker threads sit in the pool; the test database is dropped at the end.
    await sync_to_async(connection.close_pool)()


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


class Client:
    """A room connection that keeps every frame it received, so a broadcast arriving before the reply to the
    action that caused it is not lost to a test waiting for the reply."""

    def __init__(self, communicator) -> None:
        self.communicator = communicator
        self.frames: list[dict] = []

    async def next(self, predicate, timeout: float = 3) -> dict:
        for index, frame in enumerate(self.frames):
            if predicate(frame):
                return self.frames.pop(index)
        while True:
            frame = json.loads(await self.communicator.receive_from(timeout=timeout))
            if predicate(frame):
                return frame
            self.frames.append(frame)

    async def expect(self, kind: str) -> dict:
        return await self.next(lambda f: f.get("type") == kind)

    async def act(self, action: str, **fields) -> dict:
        await self.send({"action": action, "ref": action, **fields})
        return await self.next(lambda f: f["type"] in {"ok", "error"})

    async def send(self, frame) -> None:
        await self.communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def disconnect(self) -> None:
        await self.communicator.disconnect()


async def connect(dialogue_id: int, *, user=None, voter: str = "", since: int | None = None):
    cookies = await sync_to_async(cookie_header)(user, voter)
    communicator = room_communicator(dialogue_id, cookies=cookies, since=since)
    connected, _ = await communicator.connect()
    assert connected
    hello = json.loads(await communicator.receive_from())
    assert hello["type"] == "hello"
    return Client(communicator), hello


async def act(client: Client, action: str, **fields):
    return await client.act(action, **fields)


async def test_unknown_dialogue_is_refused():
    communicator = room_communicator(999999)
    connected, code = await communicator.connect()
    assert not connected and code == 4404


async def test_roles_are_announced(dialogue, personas):
    for user, roles in [
        (None, ["viewer"]),
        (personas["citizen"], ["viewer"]),
        (personas["moderator"], ["moderator", "viewer"]),
        (personas["leader"], ["host", "viewer"]),
        (personas["admin"], ["host", "moderator", "viewer"]),
    ]:
        communicator, hello = await connect(dialogue.pk, user=user)
        assert hello["data"]["roles"] == roles
        await communicator.disconnect()


async def test_question_goes_from_asker_through_moderation_and_votes_to_an_answer(dialogue, personas):
    viewer, _ = await connect(dialogue.pk, voter="viewer-browser")
    moderator, _ = await connect(dialogue.pk, user=personas["moderator"])
    host, _ = await connect(dialogue.pk, user=personas["leader"])
    citizen, _ = await connect(dialogue.pk, user=personas["citizen"])

    reply = await act(
        citizen, "ask", name="Chị Hạnh", text="Khi nào phường cấp sổ đỏ cho khu tập thể?", email="h@example.org"
    )
    assert reply["type"] == "ok" and reply["ref"] == "ask"
    question_id = reply["question"]
    submitted = await moderator.expect("question_submitted")
    assert submitted["data"]["id"] == question_id and "email" not in json.dumps(submitted)
    assert submitted["data"]["asker"] == "Chị Hạnh"  # moderators see the name; the public a label

    assert (await act(moderator, "approve", question=question_id))["type"] == "ok"
    shown = await viewer.expect("question")
    assert shown["data"] == {
        "id": question_id, "asker": "", "asker_number": question_id,
        "text": "Khi nào phường cấp sổ đỏ cho khu tập thể?", "status": "approved", "votes": 0, "position": 0,
    }  # fmt: skip
    # Pending questions never reached the viewer: the first numbered frame it saw is the approval.
    assert shown["seq"] == 2

    assert (await act(viewer, "vote", question=question_id))["votes"] == 1
    assert (await host.expect("votes"))["data"] == {"id": question_id, "votes": 1}
    again = await act(viewer, "vote", question=question_id)
    assert again["type"] == "error" and again["code"] == "conflict"
    assert (await act(citizen, "vote", question=question_id))["votes"] == 2

    assert (await act(host, "pick", question=question_id))["type"] == "ok"
    assert (await viewer.expect("now_answering"))["data"]["id"] == question_id
    assert (await act(host, "answer", question=question_id, text="Quý III năm nay."))["type"] == "ok"
    answer = await viewer.expect("answer")
    assert answer["data"]["text"] == "Quý III năm nay." and answer["data"]["question"] == question_id
    # The posted answer marks the question answered; marking it again (answered aloud) changes nothing.
    assert (await viewer.expect("answered"))["data"] == {"id": question_id, "now_answering": question_id}
    assert (await act(host, "mark_answered", question=question_id))["type"] == "ok"

    question = await DialogueQuestion.objects.aget(pk=question_id)
    assert question.status == QuestionStatus.ANSWERED and question.vote_count == 2
    assert await Vote.objects.filter(question=question).acount() == 2
    assert await LiveAnswer.objects.filter(question=question).acount() == 1
    seqs = [
        s async for s in DialogueMessage.objects.filter(dialogue=dialogue).order_by("seq").values_list("seq", flat=True)
    ]
    assert seqs == list(range(1, len(seqs) + 1))
    for communicator in (viewer, moderator, host, citizen):
        await communicator.disconnect()


async def test_reject_merge_and_reorder_reach_everyone(dialogue, personas):
    viewer, _ = await connect(dialogue.pk, voter="viewer-browser")
    moderator, _ = await connect(dialogue.pk, user=personas["moderator"])
    ids = []
    for text in ("Câu hỏi thứ nhất về học phí?", "Câu hỏi thứ hai về học phí?", "Câu hỏi thứ ba, quảng cáo?"):
        ids.append((await act(viewer, "ask", name="An", text=text))["question"])
    first, second, spam = ids
    for question_id in (first, second):
        await act(moderator, "approve", question=question_id)
    assert (await act(moderator, "reject", question=spam))["type"] == "ok"
    assert (await moderator.expect("question_rejected"))["data"] == {"id": spam}
    assert (await act(moderator, "reorder", ids=[second, first]))["ids"] == [second, first]
    assert (await viewer.expect("order"))["data"] == {"ids": [second, first]}
    assert (await act(moderator, "merge", question=second, into=first))["type"] == "ok"
    merged = await viewer.expect("question_merged")
    assert merged["data"] == {"id": second, "into": first, "votes": 0, "into_text": "Câu hỏi thứ nhất về học phí?"}
    bad = await act(moderator, "merge", question=first, into=spam)
    assert bad["code"] == "conflict"
    # The viewer never saw the rejected question's frame (staff only).
    assert (await act(viewer, "vote", question=spam))["code"] == "conflict"
    assert not [f for f in viewer.frames if f.get("type") == "question_rejected"]
    await viewer.disconnect()
    await moderator.disconnect()


ACTIONS = {
    "ask": {"name": "Bình", "text": "Một câu hỏi đủ dài để hợp lệ?"},
    "vote": {"question": 424242},
    "approve": {"question": 424242},
    "reject": {"question": 424242},
    "merge": {"question": 424242, "into": 424243},
    "reorder": {"ids": []},
    "pick": {"question": 424242},
    "answer": {"question": 424242, "text": "Trả lời"},
    "mark_answered": {"question": 424242},
}
MODERATION = {"approve", "reject", "merge", "reorder"}
HOSTING = {"pick", "answer", "mark_answered"}
ALLOWED = {
    "anonymous": {"ask", "vote"},
    "citizen": {"ask", "vote"},
    "official_a": {"ask", "vote"},
    "official_b": {"ask", "vote"},
    "leader": {"ask", "vote", *HOSTING},  # the dialogue's host
    "moderator": {"ask", "vote", *MODERATION},  # the dialogue's moderator
    "admin": set(ACTIONS),
}


async def test_every_role_may_take_exactly_its_actions(dialogue, personas):
    for persona, allowed in ALLOWED.items():
        user = None if persona == "anonymous" else personas[persona]
        communicator, _ = await connect(dialogue.pk, user=user, voter=f"browser-{persona}")
        for action, fields in ACTIONS.items():
            reply = await act(communicator, action, **fields)
            refused = reply["type"] == "error" and reply["code"] == "forbidden"
            assert refused == (action not in allowed), (persona, action, reply)
        await communicator.disconnect()


async def test_an_administrator_without_two_factor_verification_is_a_viewer(dialogue, personas, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]  # as in production (the test suite turns it off)
    communicator, hello = await connect(dialogue.pk, user=personas["admin"])
    assert hello["data"]["roles"] == ["viewer"]
    assert (await act(communicator, "approve", question=1))["code"] == "forbidden"
    await communicator.disconnect()


async def test_a_moderator_of_another_dialogue_is_a_viewer_here(dialogue, personas, reference_data):
    other = await sync_to_async(make_dialogue)(
        agency=reference_data["agencies"]["BO-GDDT"], hosts=[personas["admin"]], moderators=[], title="Khác"
    )
    communicator, hello = await connect(other.pk, user=personas["moderator"])
    assert hello["data"]["roles"] == ["viewer"]
    assert (await act(communicator, "approve", question=1))["code"] == "forbidden"
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"no_action": 1}',
        '{"action": 5}',
        json.dumps({"action": "ask", "text": "x" * 9000}),
        # Nested past Python's recursion limit: once a RecursionError that dropped the connection unclosed.
        '{"action": "ask", "name": ' + "[" * 1500 + "]" * 1500 + "}",
        '{"action": "vote", "question": NaN}',
        json.dumps({"action": "ask", "name": "Lan", "text": "Câu hỏi có ký tự \x00 lạ?"}),
    ],
)
async def test_bad_frames_get_an_error_and_the_connection_stays_usable(dialogue, frame):
    communicator, _ = await connect(dialogue.pk)
    await communicator.send(frame)
    reply = await communicator.next(lambda f: f["type"] == "error")
    assert reply["type"] == "error" and reply["code"] == "bad_frame" and reply["message"]
    unknown = await act(communicator, "shout")
    assert unknown["type"] == "error" and unknown["code"] == "unknown_action"
    invalid = await act(communicator, "ask", name="", text="ngắn")
    assert invalid["code"] == "invalid" and set(invalid["errors"]) == {"name", "text"}
    assert (await act(communicator, "ask", name="Lan", text="Câu hỏi hợp lệ sau lỗi?"))["type"] == "ok"
    await communicator.disconnect()


async def test_cookies_with_a_nul_character_count_as_absent(dialogue):
    cookies = 'sessionid="abcdefgh\\000ijk"; caunoi_voter="voter\\000one"'
    communicator = room_communicator(dialogue.pk, cookies=cookies)
    connected, _ = await communicator.connect()
    assert connected  # once a DataError that dropped the handshake
    assert json.loads(await communicator.receive_from())["data"]["roles"] == ["viewer"]
    question = await sync_to_async(DialogueQuestion.objects.create)(
        dialogue=dialogue, asker_name="Lan", text="Câu hỏi đã duyệt?", status=QuestionStatus.APPROVED
    )
    await communicator.send_to(text_data=json.dumps({"action": "vote", "question": question.pk}))
    assert json.loads(await communicator.receive_from())["code"] == "no_voter"
    await communicator.disconnect()


async def test_binary_frames_are_refused(dialogue):
    communicator, _ = await connect(dialogue.pk)
    await communicator.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.next(lambda f: f["type"] == "error"))["code"] == "bad_frame"
    await communicator.disconnect()


async def test_questions_only_while_open_or_live(personas, reference_data):
    scheduled = await sync_to_async(make_dialogue)(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[], state=State.SCHEDULED
    )
    communicator, _ = await connect(scheduled.pk)
    reply = await act(communicator, "ask", name="An", text="Câu hỏi trước khi mở?")
    assert reply["code"] == "conflict"
    await communicator.disconnect()


async def test_asking_is_limited_per_connection(dialogue):
    communicator, _ = await connect(dialogue.pk, voter="fast-browser")
    limit = ratelimit.CONNECTION_LIMITS["ask"].count
    replies = [await act(communicator, "ask", name="An", text=f"Câu hỏi số {i} của tôi?") for i in range(limit + 1)]
    assert [r["type"] for r in replies] == ["ok"] * limit + ["error"]
    assert replies[-1]["code"] == "rate_limited"
    await communicator.disconnect()


async def test_voting_and_asking_are_limited_per_person_across_connections(dialogue, monkeypatch):
    monkeypatch.setitem(ratelimit.PERSON_LIMITS, "ask", ratelimit.Limit(2, 60))
    first, _ = await connect(dialogue.pk, voter="same-person")
    second, _ = await connect(dialogue.pk, voter="same-person")
    other, _ = await connect(dialogue.pk, voter="someone-else")
    assert (await act(first, "ask", name="An", text="Câu hỏi một của tôi?"))["type"] == "ok"
    assert (await act(second, "ask", name="An", text="Câu hỏi hai của tôi?"))["type"] == "ok"
    assert (await act(second, "ask", name="An", text="Câu hỏi ba của tôi?"))["code"] == "rate_limited"
    assert (await act(other, "ask", name="Bình", text="Câu hỏi của người khác?"))["type"] == "ok"
    for communicator in (first, second, other):
        await communicator.disconnect()


async def test_anonymous_vote_needs_the_browser_id(dialogue, personas):
    moderator, _ = await connect(dialogue.pk, user=personas["moderator"])
    question_id = (await act(moderator, "ask", name="An", text="Câu hỏi để bỏ phiếu?"))["question"]
    await act(moderator, "approve", question=question_id)
    anonymous, _ = await connect(dialogue.pk)
    assert (await act(anonymous, "vote", question=question_id))["code"] == "no_voter"
    await anonymous.disconnect()
    await moderator.disconnect()


async def test_roles_and_account_state_are_checked_again_on_every_action(dialogue, personas):
    """A moderator removed from the dialogue, or whose account is switched off, loses their powers at once,
    not when their socket reconnects."""
    from caunoi.dialogues.services import question_ask

    moderator, host = personas["moderator"], personas["leader"]
    first = await sync_to_async(question_ask)(dialogue=dialogue, asker_name="An", text="Câu hỏi thứ nhất về đất?")
    second = await sync_to_async(question_ask)(dialogue=dialogue, asker_name="An", text="Câu hỏi thứ hai về đất?")
    desk, _ = await connect(dialogue.pk, user=moderator)
    hosting, _ = await connect(dialogue.pk, user=host)
    assert (await act(desk, "approve", question=first.pk))["type"] == "ok"

    await sync_to_async(dialogue.moderators.remove)(moderator)
    refused = await act(desk, "approve", question=second.pk)
    assert refused["type"] == "error" and refused["code"] == "forbidden"

    host.is_active = False
    await sync_to_async(host.save)(update_fields=["is_active"])
    refused = await act(hosting, "pick", question=first.pk)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    refused = await act(hosting, "vote", question=first.pk)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert (await DialogueQuestion.objects.aget(pk=second.pk)).status == QuestionStatus.PENDING
    await desk.disconnect()
    await hosting.disconnect()
