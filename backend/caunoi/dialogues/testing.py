"""Helpers for tests and the benchmark: a dialogue ready to use, a signed-in session cookie, a room client."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import channels
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency
from caunoi.core import clock

from .models import Dialogue, State


def _websocket_communicator() -> Any:
    """channels' WebsocketCommunicator. `channels.testing` also imports its live-server test case, which needs
    daphne (we serve with uvicorn and do not install it): without daphne, the package is mounted bare so its
    submodules import on their own."""
    import importlib
    import sys
    import types
    from pathlib import Path

    try:
        importlib.import_module("channels.testing")
    except ModuleNotFoundError:
        package = types.ModuleType("channels.testing")
        package.__path__ = [str(Path(channels.__file__).parent / "testing")]
        sys.modules["channels.testing"] = package
    return importlib.import_module("channels.testing.websocket").WebsocketCommunicator


WebsocketCommunicator = _websocket_communicator()


def make_dialogue(
    *, agency: Agency, hosts: list[User], moderators: list[User], state: str = State.LIVE, title: str = ""
) -> Dialogue:
    """A dialogue that started an hour ago (state as given), stored directly (tests skip the scheduling rules)."""
    now = clock.now()
    dialogue = Dialogue.objects.create(
        title=title or "Đối thoại về đất đai với người dân Hà Nội",
        description="Lãnh đạo thành phố trả lời câu hỏi của người dân về đất đai.",
        agency=agency,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        state=state,
    )
    dialogue.hosts.set(hosts)
    dialogue.moderators.set(moderators)
    return dialogue


def session_cookie(user: User) -> str:
    """A session cookie value that signs `user` in, as the login page would."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def cookie_header(user: User | None = None, voter: str = "") -> str:
    parts = []
    if user is not None:
        parts.append(f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}")
    if voter:  # a device id as the dialogue's page would hand it out: signed by the server
        from .devices import _signer

        parts.append(f"caunoi_voter={_signer().sign(voter)}")
    return "; ".join(parts)


def room_communicator(dialogue_id: int, *, cookies: str = "", since: int | None = None, forwarded_for: str = "") -> Any:
    """A channels test client on the project's real ASGI application (origin check, sessions, routing)."""
    from caunoi.config.asgi import application

    path = f"/ws/dialogues/{dialogue_id}/" + (f"?since={since}" if since is not None else "")
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if cookies:
        headers.append((b"cookie", cookies.encode()))
    if forwarded_for:  # the client's address as a proxy in front would name it (TRUSTED_PROXY_COUNT)
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive_until(communicator: Any, predicate: Any, timeout: float = 3) -> dict[str, Any]:
    """Receives frames until one satisfies `predicate` (others are skipped); returns it."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if predicate(frame):
            return frame


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# What every test server runs with: test clients all come from 127.0.0.1 and share Redis's counters, and
# tests sign staff in without a second factor. Tests of the limits themselves use the production ones.
TEST_SERVER_ENV = {
    "RATE_LIMIT_INTAKE": "100000/60",
    "RATE_LIMIT_INTAKE_IDENTITY": "100000/60",
    "RATE_LIMIT_TRACK": "100000/60",
    "RATE_LIMIT_TRACK_FAILURES": "100000/60",
    "FLOOD_SIMILAR_COUNT": "0",  # the same submission, thousands of times
    "TWO_FACTOR_REQUIRED_ROLES": "",
}


def start_asgi_server(
    port: int, *, database_name: str, extra_env: dict[str, str] | None = None, log_path: Any = None
) -> Any:
    """A uvicorn process serving the project's ASGI application on loopback against `database_name` (the
    same PostgreSQL server and Redis as this process). Waits until /healthz answers. With `log_path`, the
    process logs as in production (access log on, INFO) into that file."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    backend = Path(__file__).resolve().parents[2]
    url = _database_url(database_name)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": str(settings.REDIS_URL),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": f"{backend}:{backend.parent}",
        "DJANGO_SETTINGS_MODULE": "caunoi.config.settings",
        **TEST_SERVER_ENV,
        **(extra_env or {}),
    }
    # The websocket protocol every launcher runs (deploy/entrypoint.sh says why).
    command = [
        sys.executable, "-m", "uvicorn", "caunoi.config.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--lifespan", "off", "--ws", "caunoi.config.ws_protocol:LeanWebSocketProtocol",
    ]  # fmt: skip
    command += ["--log-level", "info"] if log_path else ["--no-access-log", "--log-level", "warning"]
    output = open(log_path, "ab") if log_path else None  # noqa: SIM115 - the child process owns it
    server = subprocess.Popen(command, env=env, cwd=backend, stdout=output, stderr=output)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"uvicorn on port {port} did not start")


def _database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
