"""Live-dialogue fan-out benchmark, printed as figures (not a test): `make bench` runs it.

N viewers (BENCH_VIEWERS, default 10000; a comma-separated list runs several sizes) connect with the `websockets`
client library, half to each of two uvicorn processes serving the project (with the launchers' websocket
protocol, caunoi/config/ws_protocol.py); a host on the first process publishes BENCH_MESSAGES typed answers
(default 200) of about 300 bytes at BENCH_RATE per second (default 2, the issue's rate) through the real path
(role check, service, PostgreSQL transaction with the sequence number, Redis publish after commit, each
process's hub writing the one frame to its viewers). The baseline, in the same run on the same machine: a bare
broadcast server written with the `websockets` library (one process, uvloop, `websockets.broadcast`) to which
the host sends the same frames. The viewers are spread over BENCH_CLIENTS load-client processes (default 4),
each with its own event loop, so that one client reading 10,000 sockets does not measure its own backlog; the
soft limit on open files is raised to the hard one.

Reported for each: p50/p99 delivery latency (host send → viewer receipt), the delivered fraction, server CPU
per delivery (user+system time of the server processes from /proc during the broadcast, divided by
deliveries; PostgreSQL and Redis are shared servers and not counted) and memory per idle connection (RSS
growth of the server processes from /proc while all but the first 50 viewers connect, divided by N - 50).
Goals (issue #18): p99 ≤ 1.5× bare, 100% delivered, memory per idle connection ≤ 1.5×; CPU per delivery ≤ 2×.
Clients do not negotiate permessage-deflate (as deployments should disable it for the room: compressing per
viewer would cost more than everything else).

Restart storm (BENCH_STORM=1, the default; BENCH_STORM_VIEWERS, default the first of BENCH_VIEWERS): N viewers
that behave as the room's pages do (dialogue-backoff.js: full jitter, 0.5 s base, 30 s cap; resume with
since=<last number seen>) watch a room while answers are published at BENCH_RATE; both uvicorn processes are
restarted (SIGTERM, then started again on the same ports) in the middle. Reported: how many viewers came back
and caught up to the last message, missing and duplicate numbered messages over all viewers (goal 0 and 0),
and the reconnection time (socket closed → hello from the restarted server) p50/p99.

The default N is 10,000 for a real run. On a machine of two shared cores the load clients share the cores with
both servers, PostgreSQL and Redis, and bound the latency of both servers alike.

Measured 2026-12-07 at the defaults on two shared cores (tests/bench/results/fanout.md, what else ran there):
bare p50/p99 775/4,730 ms, room 1,507/3,174 ms (p99 0.67×, client-bound), 100% delivered, CPU per delivery
15.6 against 20.2 µs (1.29×), memory per connection 13.2 against 18.5 KiB (1.41×); storm: 10,000/10,000
back and caught up, 0 missing, 0 duplicates, reconnection p50 58 s / p99 100 s (restart itself 34.5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
sys.path[:0] = [str(BACKEND), str(ROOT)]

VIEWER_COUNTS = [int(n) for n in os.environ.get("BENCH_VIEWERS", "10000").split(",") if n]
STORM = os.environ.get("BENCH_STORM", "1") == "1"
STORM_VIEWERS = int(os.environ.get("BENCH_STORM_VIEWERS", "0")) or VIEWER_COUNTS[0]
# The room pages' reconnect policy (frontend/static/js/dialogue-backoff.js).
BACKOFF_BASE, BACKOFF_CAP = 0.5, 30.0
STORM_BEFORE, STORM_DURING_SECONDS, STORM_AFTER = 40, 0.0, 40
CATCH_UP_SECONDS = 120
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "200"))
RATE = float(os.environ.get("BENCH_RATE", "2"))
PAYLOAD_BYTES = 300
CONNECT_CONCURRENCY = 50
# Load-client processes the viewers are spread over (each reads its share of the sockets on its own core).
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENTS", "4"))
# Viewers connected before the memory baseline is read: what a process sets up once (worker threads, database
# connections, the room's subscription) is not charged to each connection. They are viewers like the others.
WARM_UP = 50
WARM_UP_MESSAGES = 10
DRAIN_SECONDS = 10
ORIGIN = "http://127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

BARE_SERVER = textwrap.dedent(
    """
    import asyncio, sys
    import uvloop
    from websockets.asyncio.server import broadcast, serve

    viewers = set()

    async def handler(ws):
        if ws.request.path == "/host":
            async for message in ws:
                broadcast(viewers, message)
            return
        viewers.add(ws)
        try:
            await ws.wait_closed()
        finally:
            viewers.discard(ws)

    async def main():
        async with serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None, ping_interval=None):
            print("ready", flush=True)
            await asyncio.Future()

    uvloop.run(main())
    """
)


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def proc_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Result:
    name: str
    viewers: int
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    cpu_seconds: float = 0.0
    rss_per_connection: float = 0.0
    acks: list[float] = field(default_factory=list)  # host send → reply to its action (the room only)
    started_ns: float = float("inf")  # when the measured broadcasts began

    @property
    def expected(self) -> int:
        return self.viewers * MESSAGES

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else float("nan")

    @property
    def cpu_per_delivery_us(self) -> float:
        return self.cpu_seconds / max(1, self.delivered) * 1e6


def prepare_database() -> tuple[str, str, dict[str, object]]:
    """A fresh database with the schema, a live dialogue, an approved question and a host's session."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = f"{settings.DATABASES['default']['NAME']}_fanout"
    admin = dict(settings.DATABASES["default"])
    dsn = make_conninfo(
        host=admin["HOST"] or "localhost",
        port=admin["PORT"] or "5432",
        user=admin["USER"] or "postgres",
        **({"password": admin["PASSWORD"]} if admin["PASSWORD"] else {}),
    )
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)

    from caunoi.accounts.models import Role, User
    from caunoi.agencies.seed import seed_agencies, seed_categories
    from caunoi.dialogues.models import DialogueQuestion, QuestionStatus
    from caunoi.dialogues.testing import make_dialogue, session_cookie

    agencies = seed_agencies()
    seed_categories()
    host = User.objects.create_user(username="bench-host", password="unused-password-1", role=Role.LEADER)
    dialogue = make_dialogue(agency=agencies["UBND-HN"], hosts=[host], moderators=[])
    question = DialogueQuestion.objects.create(
        dialogue=dialogue, asker_name="Bench", text="Câu hỏi của phép đo?", status=QuestionStatus.APPROVED
    )
    setup = {"dialogue": dialogue.pk, "question": question.pk, "cookie": f"sessionid={session_cookie(host)}"}
    connection.close()
    return name, dsn, setup


def drop_database(dsn: str, name: str) -> None:
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def marker_time(message: str) -> int | None:
    """The host's send time (ns) carried in the frame's text as T<ns>|, found without parsing JSON."""
    start = message.find('"T')
    if start < 0:
        return None
    end = message.find("|", start)
    return int(message[start + 2 : end]) if end > 0 else None


def raise_file_limit() -> None:
    """Thousands of sockets per process: the soft limit on open files up to the hard one (children inherit it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts)]


class Client:
    """A load-client process and the messages it sent us (a thread reads its pipe and hands them to the loop)."""

    def __init__(self, process, conn) -> None:
        import threading

        self.process, self.conn = process, conn
        self.inbox: asyncio.Queue[tuple] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:
            try:
                while True:
                    loop.call_soon_threadsafe(self.inbox.put_nowait, conn.recv())
            except (EOFError, OSError, RuntimeError):
                return  # the client ended (or the loop did)

        threading.Thread(target=read, daemon=True).start()

    def send(self, *message: object) -> None:
        self.conn.send(message)

    async def says(self, expected: str, skip: tuple[str, ...] = ()) -> object:
        while True:
            reply = await self.inbox.get()
            if reply[0] == expected:
                return reply[1] if len(reply) > 1 else None
            assert reply[0] in skip, reply

    def end(self) -> None:
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


def spawn_clients(target, jobs: list[tuple]) -> list[Client]:
    """One load-client process per job (its own event loop and core), each talking to us through a pipe: one
    process reading 10,000 sockets would measure its own backlog, not the servers'."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    clients = []
    for job in jobs:
        ours, theirs = context.Pipe()
        process = context.Process(target=target, args=(theirs, *job), daemon=True)
        process.start()
        clients.append(Client(process, ours))
    return clients


async def each_says(clients: list[Client], expected: str, skip: tuple[str, ...] = ()) -> list[object]:
    """Every client's next message named `expected` (skipping those named in `skip`): their payloads."""
    return await asyncio.gather(*(client.says(expected, skip) for client in clients))


def viewer_client(conn, warm_urls: list[str], rest_urls: list[str]) -> None:
    """A load-client process: connects `warm_urls` (says "warmed"), on "connect" the rest (says "connected"), on
    ("start", ns) counts frames sent from then on (says "done" once it has all MESSAGES on every socket), and on
    "stop" closes and sends back its latencies and delivered count."""
    import uvloop

    raise_file_limit()
    uvloop.run(_viewer_client(conn, warm_urls, rest_urls))


async def _viewer_client(conn, warm_urls: list[str], rest_urls: list[str]) -> None:
    from websockets.asyncio.client import connect

    result = Result("", len(warm_urls) + len(rest_urls))
    semaphore = asyncio.Semaphore(CONNECT_CONCURRENCY)
    complete = asyncio.Event()

    async def open_one(url: str):
        # Thousands of handshakes at once on a loaded machine: a slow one is waited for, a refused one retried
        # (a full listen backlog), never left out of the count.
        for attempt in range(5):
            try:
                async with semaphore:
                    return await connect(
                        url, origin=ORIGIN, compression=None, ping_interval=None, max_queue=None, open_timeout=120
                    )
            except OSError:
                if attempt == 4:
                    raise
                await asyncio.sleep(1 + attempt)
        raise AssertionError("unreachable")

    async def read(ws) -> None:
        latencies = result.latencies
        try:
            async for message in ws:
                sent = marker_time(message)  # type: ignore[arg-type]
                if sent is not None and sent >= result.started_ns:  # (a replay of the warm-up is not counted)
                    latencies.append((time.time_ns() - sent) / 1e9)
                    result.delivered += 1
                    if result.delivered >= result.expected:
                        complete.set()
        except Exception:
            return

    async def command():
        return await asyncio.to_thread(conn.recv)

    first = await asyncio.gather(*(open_one(url) for url in warm_urls))
    readers = [asyncio.create_task(read(ws)) for ws in first]
    conn.send(("warmed",))
    assert await command() == ("connect",)
    rest = await asyncio.gather(*(open_one(url) for url in rest_urls))
    readers += [asyncio.create_task(read(ws)) for ws in rest]
    conn.send(("connected",))
    _, result.started_ns = await command()
    stopping = asyncio.create_task(command())
    finished = asyncio.create_task(complete.wait())
    await asyncio.wait([stopping, finished], return_when=asyncio.FIRST_COMPLETED)
    conn.send(("done",))
    await stopping
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(ws.close() for ws in [*first, *rest]), return_exceptions=True)
    conn.send(("result", (result.latencies, result.delivered)))


def payload(padding: str) -> str:
    return f"T{time.time_ns()}|{padding}"


async def measure(
    name: str, viewer_urls: list[str], host_url: str, pids: list[int], frame_for, host_headers: dict[str, str]
) -> Result:
    """Connects the viewers (memory), broadcasts (latency, delivery, CPU), and collects the figures."""
    from websockets.asyncio.client import connect

    result = Result(name, len(viewer_urls))
    host = await connect(host_url, origin=ORIGIN, compression=None, additional_headers=host_headers or None)

    sent_at: list[float] = []

    async def drain_host() -> None:
        async for message in host:  # replies (timed: the action's round trip) and its own copies of broadcasts
            if isinstance(message, str) and message.startswith('{"type": "ok"') and len(result.acks) < len(sent_at):
                result.acks.append(time.perf_counter() - sent_at[len(result.acks)])

    host_reader = asyncio.create_task(drain_host())
    # Warm-up, before any viewer connects: the first sends start what a process starts once (worker threads
    # and their database connections, code paths run for the first time). Their replies are not timed.
    for i in range(WARM_UP_MESSAGES):
        sent_at.append(time.perf_counter())
        await host.send(frame_for(payload("warm-up"), i))
    await asyncio.sleep(2)
    sent_at.clear()
    result.acks.clear()
    parts = min(CLIENT_PROCESSES, len(viewer_urls))
    jobs = list(zip(split(viewer_urls[:WARM_UP], parts), split(viewer_urls[WARM_UP:], parts), strict=True))
    clients = spawn_clients(viewer_client, jobs)
    try:
        await each_says(clients, "warmed")
        await asyncio.sleep(1)  # the first connections have started what every process starts once (threads, pool)
        rss_before = sum(proc_rss_bytes(pid) for pid in pids)
        for client in clients:
            client.send("connect")
        await each_says(clients, "connected")
        await asyncio.sleep(2)
        grown = sum(proc_rss_bytes(pid) for pid in pids) - rss_before
        result.rss_per_connection = grown / (len(viewer_urls) - WARM_UP)

        cpu_before = sum(proc_cpu_seconds(pid) for pid in pids)
        padding = "x" * 180  # with the frame's envelope, about 300 bytes on the wire
        result.started_ns = time.time_ns()
        for client in clients:
            client.send("start", result.started_ns)
        started = time.perf_counter()
        for i in range(MESSAGES):
            sent_at.append(time.perf_counter())
            await host.send(frame_for(payload(padding), i))
            next_at = started + (i + 1) / RATE
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        with contextlib.suppress(TimeoutError):  # some frames never arrived: the delivered fraction says how many
            await asyncio.wait_for(each_says(clients, "done"), DRAIN_SECONDS)
        result.cpu_seconds = sum(proc_cpu_seconds(pid) for pid in pids) - cpu_before
        for client in clients:
            client.send("stop")
        for latencies, delivered in await each_says(clients, "result", skip=("done",)):  # type: ignore[misc]
            result.latencies += latencies
            result.delivered += delivered
    finally:
        for client in clients:
            client.end()
    await host.close()
    host_reader.cancel()
    return result


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


async def bare_run(viewers: int) -> Result:
    from caunoi.dialogues.testing import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], stdout=subprocess.PIPE)
    assert server.stdout is not None
    server.stdout.readline()
    try:
        # The same frame our room sends (an "answer" envelope), so both carry the same bytes.
        def frame(text: str, i: int) -> str:
            data = f'{{"id":{i},"question":1,"text":"{text}","host":"bench-host"}}'
            return f'{{"seq":{i + 1},"type":"answer","data":{data}}}'

        urls = [f"ws://127.0.0.1:{port}/viewer"] * viewers
        return await measure("bare websockets", urls, f"ws://127.0.0.1:{port}/host", [server.pid], frame, {})
    finally:
        stop(server)


async def room_run(viewers: int, database: str, setup: dict[str, object]) -> Result:
    import json

    from caunoi.dialogues.testing import free_port, start_asgi_server

    ports = [free_port(), free_port()]
    quiet = {"LOG_LEVEL": "WARNING"}
    servers = [start_asgi_server(port, database_name=database, extra_env=quiet) for port in ports]
    try:
        dialogue, question = setup["dialogue"], setup["question"]

        def frame(text: str, i: int) -> str:
            return json.dumps({"action": "answer", "question": question, "text": text})

        urls = [f"ws://127.0.0.1:{ports[i % 2]}/ws/dialogues/{dialogue}/" for i in range(viewers)]
        host_url = f"ws://127.0.0.1:{ports[0]}/ws/dialogues/{dialogue}/"
        headers = {"Cookie": str(setup["cookie"])}
        return await measure("Cầu Nối room (2 uvicorn)", urls, host_url, [s.pid for s in servers], frame, headers)
    finally:
        for server in servers:
            stop(server)


def report(bare: Result, room: Result) -> None:
    print(f"\nfan-out: {bare.viewers} viewers, {MESSAGES} messages of ~{PAYLOAD_BYTES} B at {RATE:g}/s")
    print(f"  {'':26} {'p50 ms':>8} {'p99 ms':>8} {'delivered':>10} {'CPU µs/delivery':>16} {'KiB/connection':>15}")
    for r in (bare, room):
        print(
            f"  {r.name:26} {r.pct(0.5):8.1f} {r.pct(0.99):8.1f} {r.delivered / r.expected:10.2%}"
            f" {r.cpu_per_delivery_us:16.1f} {r.rss_per_connection / 1024:15.1f}"
        )
    ratios = {
        "p99 latency": (room.pct(0.99) / bare.pct(0.99), 1.5),
        "CPU per delivery": (room.cpu_per_delivery_us / bare.cpu_per_delivery_us, 2.0),
        "memory per connection": (room.rss_per_connection / max(1.0, bare.rss_per_connection), 1.5),
    }
    for label, (ratio, goal) in ratios.items():
        print(f"  {label} room/bare: {ratio:.2f} (goal ≤ {goal:g}) {'met' if ratio <= goal else 'NOT met'}")
    if room.acks:
        acks = sorted(room.acks)
        p50, p99 = acks[len(acks) // 2] * 1000, acks[int(len(acks) * 0.99)] * 1000
        if os.environ.get("BENCH_DEBUG"):
            print(
                "  acks (ms) first:",
                [round(a * 1000) for a in room.acks[:8]],
                "last:",
                [round(a * 1000) for a in room.acks[-8:]],
            )
        print(f"  room: host action round trip (send → reply) p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    delivered = room.delivered / room.expected
    print(f"  delivered: {delivered:.2%} (goal 100%) {'met' if room.delivered >= room.expected else 'NOT met'}")


@dataclass
class StormViewer:
    """One page in the room, as dialogue-room.js behaves: resumes with since= after a random wait."""

    port: int
    last_seq: int = 0
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0
    first_seq: int = 0
    closed_at: float | None = None
    reconnections: list[float] = field(default_factory=list)
    hellos: int = 0


def backoff(attempt: int) -> float:
    import random

    return random.random() * min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempt, 16))


async def storm_viewer(viewer: StormViewer, dialogue: object, stop_event: asyncio.Event, semaphore) -> None:
    import json

    from websockets.asyncio.client import connect

    attempt = 0
    while not stop_event.is_set():
        url = f"ws://127.0.0.1:{viewer.port}/ws/dialogues/{dialogue}/?since={viewer.last_seq}"
        try:
            async with semaphore:
                ws = await connect(url, origin=ORIGIN, compression=None, ping_interval=None, max_queue=None)
            async with ws:
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "hello":
                        viewer.hellos += 1
                        attempt = 0
                        if viewer.closed_at is not None:
                            viewer.reconnections.append(time.perf_counter() - viewer.closed_at)
                            viewer.closed_at = None
                        continue
                    seq = frame.get("seq")
                    if not isinstance(seq, int):
                        continue
                    if seq in viewer.seen:
                        viewer.duplicates += 1
                    viewer.seen.add(seq)
                    if not viewer.first_seq:
                        viewer.first_seq = seq
                    viewer.last_seq = max(viewer.last_seq, seq)
        except Exception:  # noqa: S110 - a refused or dropped connection: back off and resume, as pages do
            pass
        if stop_event.is_set():
            return
        if viewer.closed_at is None:
            viewer.closed_at = time.perf_counter()
        await asyncio.sleep(backoff(attempt))
        attempt += 1


def storm_client(conn, ports: list[int], dialogue: object) -> None:
    """A load-client process of the storm: its share of the room's pages. Says ("connected", how many said hello);
    on ("final", N) waits for its viewers to catch up to N and sends back what they saw."""
    import uvloop

    raise_file_limit()
    uvloop.run(_storm_client(conn, ports, dialogue))


async def _storm_client(conn, ports: list[int], dialogue: object) -> None:
    room = [StormViewer(port=port) for port in ports]
    stop_event = asyncio.Event()
    semaphore = asyncio.Semaphore(CONNECT_CONCURRENCY)
    tasks = [asyncio.create_task(storm_viewer(v, dialogue, stop_event, semaphore)) for v in room]
    deadline = time.perf_counter() + 120
    while sum(1 for v in room if v.hellos) < len(room) and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    conn.send(("connected", sum(1 for v in room if v.hellos)))
    _, final = await asyncio.to_thread(conn.recv)
    deadline = time.perf_counter() + CATCH_UP_SECONDS
    while time.perf_counter() < deadline and any(v.last_seq < final for v in room):
        await asyncio.sleep(0.5)
    stop_event.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    conn.send(
        (
            "result",
            {
                "caught_up": sum(1 for v in room if v.last_seq >= final),
                "back": sum(1 for v in room if v.hellos >= 2),
                "missing": sum(len(set(range(v.first_seq or final + 1, final + 1)) - v.seen) for v in room),
                "duplicates": sum(v.duplicates for v in room),
                "times": [t for v in room for t in v.reconnections],
            },
        )
    )


async def storm_run(viewers: int, database: str, setup: dict[str, object]) -> None:
    """Both ASGI processes restarted under `viewers` viewers; every viewer must come back and catch up."""
    from caunoi.dialogues.models import Dialogue
    from caunoi.dialogues.services import answer_publish
    from caunoi.dialogues.testing import free_port, start_asgi_server
    from django.contrib.auth import get_user_model
    from django.db import connection

    ports = [free_port(), free_port()]
    quiet = {"LOG_LEVEL": "WARNING"}

    def start(port: int) -> subprocess.Popen[bytes]:
        return start_asgi_server(port, database_name=database, extra_env=quiet)

    def publish(count: int) -> None:
        host = get_user_model().objects.get(username="bench-host")
        for i in range(count):
            answer_publish(dialogue_id=setup["dialogue"], question_id=setup["question"], text=f"storm {i}", by=host)
            time.sleep(1 / RATE)
        connection.close()

    servers = await asyncio.gather(*(asyncio.to_thread(start, port) for port in ports))
    room_ports = [ports[i % 2] for i in range(viewers)]
    parts = min(CLIENT_PROCESSES, viewers)
    clients = spawn_clients(storm_client, [(room_ports[i::parts], setup["dialogue"]) for i in range(parts)])
    try:
        connected = sum(await each_says(clients, "connected"))  # type: ignore[arg-type]
        before = asyncio.create_task(asyncio.to_thread(publish, STORM_BEFORE))
        await asyncio.sleep(STORM_BEFORE / RATE / 2)
        restart_started = time.perf_counter()
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            await asyncio.to_thread(server.wait, 30)
        servers = await asyncio.gather(*(asyncio.to_thread(start, port) for port in ports))
        restart_seconds = time.perf_counter() - restart_started
        await before
        await asyncio.to_thread(publish, STORM_AFTER)
        final = await asyncio.to_thread(
            lambda: Dialogue.objects.filter(pk=setup["dialogue"]).values_list("last_seq", flat=True).get()
        )
        for client in clients:
            client.send("final", final)
        results: list[dict] = await each_says(clients, "result")  # type: ignore[assignment]
        caught_up, back = sum(r["caught_up"] for r in results), sum(r["back"] for r in results)
        missing, duplicates = sum(r["missing"] for r in results), sum(r["duplicates"] for r in results)
        times = sorted(t for r in results for t in r["times"])
        print(f"\nrestart storm: {viewers} viewers ({connected} connected before), both processes restarted")
        print(f"  servers down and back in {restart_seconds:.1f} s; {STORM_BEFORE + STORM_AFTER} answers published")
        print(f"  viewers back: {back}/{viewers}; caught up to #{final}: {caught_up}/{viewers}")
        print(f"  missing messages: {missing} (goal 0); duplicate messages: {duplicates} (goal 0)")
        if times:
            p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"  reconnection (closed → hello) p50 {p50:.2f} s, p99 {p99:.2f} s, max {times[-1]:.2f} s")
    finally:
        for client in clients:
            client.end()
        for server in servers:
            stop(server)


def main() -> None:
    import uvloop

    raise_file_limit()
    database, dsn, setup = prepare_database()
    try:
        for viewers in VIEWER_COUNTS:
            bare = uvloop.run(bare_run(viewers))
            room = uvloop.run(room_run(viewers, database, setup))
            report(bare, room)
            sys.stdout.flush()
        if STORM:
            uvloop.run(storm_run(STORM_VIEWERS, database, setup))
    finally:
        drop_database(dsn, database)


if __name__ == "__main__":
    main()
