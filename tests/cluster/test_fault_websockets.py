"""Dialogue viewers on both ASGI processes while one of them is restarted (`deploy/local-cluster restart web1`):
the viewers on the other process keep receiving, those on the restarted one reconnect through nginx with
`?since=<last seq>` and get exactly what they missed. Nothing is lost, nothing arrives twice."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.cluster import support

pytestmark = pytest.mark.cluster

VIEWERS_PER_PROCESS = 3
ANSWER_EVERY = 0.15  # seconds between the host's live answers while web1 restarts


@pytest.fixture
def stack():
    with support.stack() as (_servers, cluster):
        yield cluster


def test_viewers_on_both_processes_lose_nothing_when_one_process_restarts(stack: support.Cluster) -> None:
    cluster = stack
    made = support.live_dialogue(cluster)
    path = f"/ws/dialogues/{made['dialogue']}/"
    web1, web2 = (f"ws://127.0.0.1:{port}{path}" for port in cluster.web_ports)
    nginx = cluster.url.replace("http://", "ws://") + path

    async def scenario() -> tuple[list[support.Viewer], list[str], float]:
        # Host and moderator on web2, the process that stays up.
        host = await support.ws_open(web2, made["host"])
        moderator = await support.ws_open(web2, made["moderator"])
        asked = await support.ws_act(moderator, "ask", name="Bà Tư", text="Bao giờ đường làng được sửa xong?")
        await support.ws_act(moderator, "approve", question=asked["question"])
        await support.ws_act(host, "pick", question=asked["question"])

        done = asyncio.Event()
        viewers = [support.Viewer(f"web1-{i}", web1, nginx) for i in range(VIEWERS_PER_PROCESS)]
        viewers += [support.Viewer(f"web2-{i}", web2, nginx) for i in range(VIEWERS_PER_PROCESS)]
        tasks = [asyncio.create_task(viewer.run(done)) for viewer in viewers]
        await asyncio.sleep(1)  # everyone connected and live

        texts: list[str] = []

        async def answer(text: str) -> None:
            await support.ws_act(host, "answer", question=asked["question"], text=text)
            texts.append(text)

        for n in range(5):
            await answer(f"Trước khi khởi động lại, phần {n}.")
        restart = asyncio.create_task(asyncio.to_thread(cluster.restart, "web1"))
        began = time.monotonic()
        n = 0
        while not restart.done():
            await answer(f"Trong khi khởi động lại, phần {n}.")
            n += 1
            await asyncio.sleep(ANSWER_EVERY)
        await restart  # raises if the restart failed
        restart_seconds = time.monotonic() - began
        for n in range(5):
            await answer(f"Sau khi khởi động lại, phần {n}.")

        async def everyone_has_the_last() -> None:
            while not all(v.frames and v.frames[-1].get("data", {}).get("text") == texts[-1] for v in viewers):
                await asyncio.sleep(0.1)

        try:
            await asyncio.wait_for(everyone_has_the_last(), timeout=30)
        finally:
            done.set()
            for socket in (host, moderator):
                await socket.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return viewers, texts, restart_seconds

    viewers, texts, restart_seconds = asyncio.run(scenario())
    reference = [(f["seq"], f["type"]) for f in viewers[-1].frames]
    print(
        f"\nweb1 restarted in {restart_seconds:.1f} s while the host sent {len(texts)} answers; "
        f"connections per viewer: {[v.connections for v in viewers]}"
    )
    for viewer in viewers:
        seqs = [f["seq"] for f in viewer.frames]
        assert seqs == sorted(set(seqs)), f"{viewer.name}: frames out of order or twice: {seqs}"
        assert [(f["seq"], f["type"]) for f in viewer.frames] == reference, viewer.name
        answers = [f["data"]["text"] for f in viewer.frames if f["type"] == "answer"]
        assert answers == texts, f"{viewer.name} lost answers: {sorted(set(texts) - set(answers))}"
    # Those on web1 were cut off and came back; those on web2 never noticed.
    assert [v.connections for v in viewers[:VIEWERS_PER_PROCESS]] == [2] * VIEWERS_PER_PROCESS
    assert [v.connections for v in viewers[VIEWERS_PER_PROCESS:]] == [1] * VIEWERS_PER_PROCESS
    assert sum(t.startswith("Trong khi") for t in texts) >= 3  # answers really flowed during the restart
