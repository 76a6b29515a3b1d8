"""Votes and questions in the live room are keyed on what a client cannot mint: an account, or a device id the
server signed (caunoi.dialogues.devices), with caps per client address for anonymous participants. Real
websocket connections (channels' communicator on the project's ASGI application, real Redis and PostgreSQL)."""

from __future__ import annotations

import json
import secrets

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from caunoi.core.ratelimit import Limit
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.hub import hub_shutdown
from caunoi.dialogues.models import DialogueQuestion
from caunoi.dialogues.testing import make_dialogue, room_communicator, session_cookie
from django.db import connection
from django.test import Client

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

VOTER_COOKIE = "caunoi_voter"


@pytest_asyncio.fixture(autouse=True)
async def _clean_hub():
    redis_client().flushdb()
    yield
    await hub_shutdown()
    await sync_to_async(connection.close_pool)()


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


@pytest.fixture
def proxied(settings):
    # Behind one proxy, the room reads the client's address from X-Forwarded-For as pages do.
    settings.TRUSTED_PROXY_COUNT = 1


async def connect(dialogue_id: int, *, address: str, cookies: str = ""):
    communicator = room_communicator(dialogue_id, cookies=cookies, forwarded_for=address)
    connected, _ = await communicator.connect()
    assert connected
    hello = json.loads(await communicator.receive_from())
    assert hello["type"] == "hello"
    return communicator


async def act(communicator, action: str, **fields) -> dict:
    await communicator.send_to(text_data=json.dumps({"action": action, **fields}))
    while True:
        frame = json.loads(await communicator.receive_from(timeout=3))
        if frame["type"] in ("ok", "error"):
            return frame


def device_from_page(dialogue_id: int, address: str) -> str:
    """The device id the dialogue's page hands a browser (signed by the server), as a cookie header."""
    page = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address).get(f"/dialogues/{dialogue_id}/")
    assert page.status_code == 200
    cookie = page.cookies.get(VOTER_COOKIE)
    return f"{VOTER_COOKIE}={cookie.value}" if cookie is not None else ""


async def approved_question(dialogue, personas) -> int:
    moderator = await connect(
        dialogue.pk,
        address="10.9.9.9",
        cookies=f"sessionid={await sync_to_async(session_cookie)(personas['moderator'])}",
    )
    question = (await act(moderator, "ask", name="An", text="Câu hỏi để bỏ phiếu thử?"))["question"]
    assert (await act(moderator, "approve", question=question))["type"] == "ok"
    await moderator.disconnect()
    return question


async def test_cookies_a_client_makes_up_do_not_vote(dialogue, personas, proxied):
    question = await approved_question(dialogue, personas)
    replies = []
    for _ in range(40):
        communicator = await connect(dialogue.pk, address="10.1.1.1", cookies=f"{VOTER_COOKIE}={secrets.token_hex(8)}")
        replies.append(await act(communicator, "vote", question=question))
        await communicator.disconnect()
    assert {reply.get("code") for reply in replies} == {"no_voter"}
    assert (await sync_to_async(DialogueQuestion.objects.get)(pk=question)).vote_count == 0


async def test_devices_minted_by_the_page_are_capped_per_address_per_question(dialogue, personas, proxied, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "dialogue_vote": Limit(10, 3600)}
    question = await approved_question(dialogue, personas)
    counted = 0
    for _ in range(40):
        cookies = await sync_to_async(device_from_page)(dialogue.pk, "10.2.2.2")
        communicator = await connect(dialogue.pk, address="10.2.2.2", cookies=cookies)
        counted += (await act(communicator, "vote", question=question))["type"] == "ok"
        await communicator.disconnect()
    assert counted == 10
    assert (await sync_to_async(DialogueQuestion.objects.get)(pk=question)).vote_count == 10
    # Signed-in citizens behind the same address vote as themselves.
    citizen = await connect(
        dialogue.pk, address="10.2.2.2", cookies=f"sessionid={await sync_to_async(session_cookie)(personas['citizen'])}"
    )
    assert (await act(citizen, "vote", question=question))["type"] == "ok"
    await citizen.disconnect()


async def test_the_page_mints_few_devices_per_address(dialogue, settings, proxied):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "dialogue_device": Limit(3, 3600)}
    minted = [await sync_to_async(device_from_page)(dialogue.pk, "10.3.3.3") for _ in range(5)]
    assert [bool(cookie) for cookie in minted] == [True, True, True, False, False]
    assert len(set(minted[:3])) == 3


async def test_questions_from_one_address_are_capped_whatever_the_cookies(dialogue, settings, proxied):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "dialogue_ask": Limit(5, 60)}
    sent = 0
    for i in range(20):
        cookies = await sync_to_async(device_from_page)(dialogue.pk, "10.4.4.4")
        communicator = await connect(dialogue.pk, address="10.4.4.4", cookies=cookies)
        sent += (await act(communicator, "ask", name="An", text=f"Câu hỏi số {i} của tôi?"))["type"] == "ok"
        await communicator.disconnect()
    assert sent == 5
    assert await sync_to_async(DialogueQuestion.objects.filter(dialogue=dialogue).count)() == 5


async def test_participants_without_a_device_do_not_share_one_bucket(dialogue, settings, proxied):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "dialogue_ask": Limit(5, 60)}
    replies = []
    for i in range(6):
        communicator = await connect(dialogue.pk, address="10.5.5.5")
        replies.append((await act(communicator, "ask", name="An", text=f"Câu hỏi thứ {i} của An?")).get("code"))
        await communicator.disconnect()
    assert replies == [None] * 5 + ["rate_limited"]
    # Someone else without a device id, elsewhere, is not refused because of them.
    other = await connect(dialogue.pk, address="10.6.6.6")
    assert (await act(other, "ask", name="Bình", text="Câu hỏi của Bình đây?"))["type"] == "ok"
    await other.disconnect()


async def test_a_blocked_address_cannot_ask_in_the_room(dialogue, proxied):
    from caunoi.abuse.blocklist import rules_changed
    from caunoi.abuse.models import BlockRule

    def block() -> None:
        BlockRule.objects.create(kind="address", value="10.8.0.0/16", reason="spam in the room")
        rules_changed()

    await sync_to_async(block)()
    blocked = await connect(dialogue.pk, address="10.8.1.2")
    reply = await act(blocked, "ask", name="Bot", text="Mua hàng giá rẻ tại đây nhé?")
    assert reply["code"] == "blocked"
    other = await connect(dialogue.pk, address="10.9.1.2")
    assert (await act(other, "ask", name="An", text="Khi nào sửa đường làng?"))["type"] == "ok"
    for communicator in (blocked, other):
        await communicator.disconnect()
    assert await sync_to_async(DialogueQuestion.objects.filter(dialogue=dialogue).count)() == 1
