"""Intake benchmark, printed as figures (not a test): `make bench` runs it.

Intake throughput: POST /api/v1/cases/ (validate, route, compute the legal deadline, store the case and its
events) against a bare Django view that parses JSON and inserts one row, both served by the same uvicorn
process from the same database, measured in the same run in alternating rounds. Goal: ratio ≥ 0.7.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
sys.path[:0] = [str(BACKEND), str(ROOT)]

REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "600"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
CASE = {
    "kind": "feedback",
    "title": "Rác thải đổ trộm ở đầu ngõ",
    "body": "Rác thải sinh hoạt bị đổ ở đầu ngõ 15 phố Hàng Bông nhiều ngày nay, đề nghị xử lý.",
    "category": "moi-truong",
    "area": "xa-00070",
    "name": "Nguyễn Văn An",
    "phone": "0912 345 678",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database() -> tuple[str, str]:
    """A fresh database with the schema, reference data and the baseline's table."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = f"{settings.DATABASES['default']['NAME']}_bench"
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
    call_command("seed_demo", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare_row (id bigserial PRIMARY KEY, title text, body text)")
    connection.close()
    return name, dsn


def start_server(database: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.bench_settings",
        "BENCH_DATABASE_NAME": database,
        "PYTHONPATH": f"{BACKEND}:{ROOT}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # One client address sends thousands of submissions: the per-address limit would refuse them. Its cost
        # (one Redis round trip) is still paid, as in production.
        "RATE_LIMIT_INTAKE": "100000000/60",
        "FLOOD_SIMILAR_COUNT": "0",  # the same submission, thousands of times
        "RATE_LIMIT_INTAKE_IDENTITY": "100000000/60",
        "RATE_LIMIT_TRACK": "100000000/60",
        "RATE_LIMIT_TRACK_FAILURES": "100000000/60",
    }
    command = [
        sys.executable, "-m", "uvicorn", "caunoi.config.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=BACKEND)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the benchmark server did not start")


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the benchmark's own CPU use must not hide the server's costs
    (a full client library costs about as much CPU per request as a bare Django view)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def post_request(path: str) -> bytes:
    body = json.dumps(CASE).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def round_of(connections: list[Connection], path: str, count: int) -> tuple[float, list[float]]:
    request = post_request(path)
    latencies: list[float] = []
    remaining = [count]

    async def worker(connection: Connection) -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            started = time.perf_counter()
            status, body = await connection.post(request)
            latencies.append(time.perf_counter() - started)
            if status != 201:
                raise SystemExit(f"{path} answered {status}: {body[:300]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    return count / (time.perf_counter() - started), latencies


async def measure(port: int) -> dict[str, list[tuple[float, list[float]]]]:
    results: dict[str, list[tuple[float, list[float]]]] = {"bare": [], "intake": []}
    connections = [await Connection.open(port) for _ in range(CONCURRENCY)]
    try:
        for path in ("/bench/bare/", "/api/v1/cases/"):  # warm-up: connections, caches, first imports
            await round_of(connections, path, 50)
        for _ in range(ROUNDS):
            results["bare"].append(await round_of(connections, "/bench/bare/", REQUESTS_PER_ROUND))
            results["intake"].append(await round_of(connections, "/api/v1/cases/", REQUESTS_PER_ROUND))
    finally:
        for connection in connections:
            connection.close()
    return results


def summary(rounds: list[tuple[float, list[float]]]) -> tuple[float, float, float]:
    throughput = statistics.median(rate for rate, _ in rounds)
    latencies = sorted(latency for _, values in rounds for latency in values)
    return throughput, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.95)] * 1000


def main() -> None:
    database, dsn = prepare_database()
    port = free_port()
    server = start_server(database, port)
    try:
        results = asyncio.run(measure(port))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    with psycopg.connect(f"{dsn} dbname={database}") as conn:
        stored = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    bare, intake = summary(results["bare"]), summary(results["intake"])
    print(f"intake benchmark: {ROUNDS} rounds × {REQUESTS_PER_ROUND} requests, {CONCURRENCY} concurrent, one uvicorn")
    print(f"  bare insert view   {bare[0]:8.1f} req/s   p50 {bare[1]:6.1f} ms   p95 {bare[2]:6.1f} ms")
    print(f"  POST /api/v1/cases {intake[0]:8.1f} req/s   p50 {intake[1]:6.1f} ms   p95 {intake[2]:6.1f} ms")
    print(f"  cases stored: {stored}")
    ratio = intake[0] / bare[0]
    print(f"  ratio intake / bare: {ratio:.2f} (goal ≥ 0.70) {'met' if ratio >= 0.7 else 'NOT met'}")
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
