"""Two real uvicorn processes on loopback sharing PostgreSQL and Redis, clients speaking through the
`websockets` library: a host on one process reaches viewers on the other, and a viewer whose connection is
cut resumes on the other process without losing anything."""

from __future__ import annotations

import asyncio
import json
import signal

import pytest
import websockets
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.testing import cookie_header, free_port, make_dialogue, start_asgi_server
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True)]
ORIGIN = "http://127.0.0.1"


@pytest.fixture
def servers(db):
    redis_client().flushdb()
    name = connection.settings_dict["NAME"]
    ports = [free_port(), free_port()]
    processes = [start_asgi_server(port, database_name=name) for port in ports]
    yield ports
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=15)
    connection.close_pool()


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


class Peer:
    def __init__(self, socket) -> None:
        self.socket = socket
        self.frames: list[dict] = []

    @classmethod
    async def open(cls, port: int, dialogue_id: int, cookies: str = "", since: int | None = None) -> Peer:
        query = f"?since={since}" if since is not None else ""
        socket = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/dialogues/{dialogue_id}/{query}",
            origin=ORIGIN,
            additional_headers={"Cookie": cookies} if cookies else None,
        )
        peer = cls(socket)
        assert (await peer.next(lambda f: True))["type"] == "hello"
        return peer

    async def next(self, predicate, timeout: float = 5) -> dict:
        for index, frame in enumerate(self.frames):
            if predicate(frame):
                return self.frames.pop(index)
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.socket.recv())
                if predicate(frame):
                    return frame
                self.frames.append(frame)

    async def act(self, action: str, **fields) -> dict:
        await self.socket.send(json.dumps({"action": action, **fields}))
        reply = await self.next(lambda f: f["type"] in {"ok", "error"})
        assert reply["type"] == "ok", reply
        return reply


def test_a_host_on_one_process_reaches_viewers_on_the_other(servers, dialogue, personas):
    port_a, port_b = servers
    host_cookies = cookie_header(personas["leader"])
    moderator_cookies = cookie_header(personas["moderator"])

    async def scenario() -> None:
        host = await Peer.open(port_a, dialogue.pk, host_cookies)
        moderator = await Peer.open(port_a, dialogue.pk, moderator_cookies)
        viewers = [await Peer.open(port_b, dialogue.pk, f"caunoi_voter=v{i}") for i in range(3)]
        asked = await viewers[0].act("ask", name="Bà Tư", text="Bao giờ đường làng được sửa xong?")
        await moderator.act("approve", question=asked["question"])
        await host.act("pick", question=asked["question"])
        await host.act("answer", question=asked["question"], text="Tháng sau sẽ xong.")
        for viewer in viewers:
            answer = await viewer.next(lambda f: f.get("type") == "answer")
            assert answer["data"]["text"] == "Tháng sau sẽ xong."
            seqs = [f["seq"] for f in viewer.frames if "seq" in f] + [answer["seq"]]
            assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
        for peer in (host, moderator, *viewers):
            await peer.socket.close()

    asyncio.run(scenario())


def test_a_cut_connection_resumes_on_the_other_process_losing_nothing(servers, dialogue, personas):
    port_a, port_b = servers
    host_cookies = cookie_header(personas["leader"])
    moderator_cookies = cookie_header(personas["moderator"])

    async def scenario() -> None:
        host = await Peer.open(port_a, dialogue.pk, host_cookies)
        moderator = await Peer.open(port_a, dialogue.pk, moderator_cookies)
        viewer = await Peer.open(port_b, dialogue.pk)
        ids = []
        for i in range(3):
            asked = await moderator.act("ask", name="An", text=f"Câu hỏi số {i} về giao thông?")
            await moderator.act("approve", question=asked["question"])
            ids.append(asked["question"])
        last = (await viewer.next(lambda f: f.get("type") == "question" and f["data"]["id"] == ids[-1]))["seq"]
        viewer.socket.transport.abort()  # the network drops: no close handshake
        for question_id in ids:
            await host.act("pick", question=question_id)
            await host.act("answer", question=question_id, text=f"Trả lời câu {question_id}.")
            await host.act("mark_answered", question=question_id)
        resumed = await Peer.open(port_a, dialogue.pk, since=last)
        answered = await resumed.next(lambda f: f.get("type") == "answered" and f["data"]["id"] == ids[-1])
        got = [f for f in resumed.frames if "seq" in f] + [answered]
        assert [f["seq"] for f in got] == list(range(last + 1, answered["seq"] + 1))
        assert [f["type"] for f in got] == ["now_answering", "answer", "answered"] * 3
        for peer in (host, moderator, resumed):
            await peer.socket.close()

    asyncio.run(scenario())
