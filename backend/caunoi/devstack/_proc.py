"""Process, port and file-lock helpers shared by the embedded services and the supervisor."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"


class DevstackError(RuntimeError):
    """A failure the user can act on; the message says what failed and where to look."""


@dataclass(frozen=True)
class RunAs:
    """A system account to run a server as (PostgreSQL refuses to run as root)."""

    name: str
    uid: int
    gid: int


def run_tool(
    argv: Sequence[str | Path],
    *,
    what: str,
    run_as: RunAs | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> str:
    """Runs a short-lived tool to completion and returns its combined output.

    Output goes through a temporary file, not a pipe: tools that start daemons (pg_ctl, redis-server
    --daemonize) can leave the daemon holding an inherited pipe, and reading it would then never end.
    Raises DevstackError naming `what`, with the tool's output, when it fails or times out.
    """
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as output:
        try:
            completed = subprocess.run(  # noqa: S603 - argv is built here from known binaries, no shell
                [str(part) for part in argv],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                timeout=timeout,
                check=False,
                # extra_groups=[] drops root's supplementary groups: the server gets nothing of root's.
                user=run_as.uid if run_as else None,
                group=run_as.gid if run_as else None,
                extra_groups=[] if run_as else None,
            )
        except subprocess.TimeoutExpired as exc:
            output.seek(0)
            raise DevstackError(f"{what}: no answer after {timeout:.0f} s\n{output.read().strip()}") from exc
        output.seek(0)
        text = output.read()
    if completed.returncode != 0:
        raise DevstackError(f"{what} failed (exit code {completed.returncode})\n{text.strip()}")
    return text


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    """Polls `condition` until it is true (returns True) or `timeout` seconds pass (returns False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True if nothing listens on host:port. SO_REUSEADDR, as servers use, so TIME_WAIT does not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = LOOPBACK) -> int:
    """A port the kernel considers free right now (it may be taken again before it is used)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def remembered_port(port_file: Path) -> int:
    """The port recorded in `port_file` if it is still free, else a new free port, recorded there.

    Keeping the port stable across restarts means URLs in shells and IDE settings stay valid.
    """
    try:
        port = int(port_file.read_text().strip())
    except (OSError, ValueError):
        port = 0
    if not (0 < port < 65536 and port_is_free(port)):
        port = free_port()
        port_file.write_text(f"{port}\n")
    return port


def pid_alive(pid: int) -> bool:
    """True if a process with this id exists (whoever owns it)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def command_line(pid: int) -> str:
    """The process's command line joined by spaces, or '' if it is gone or cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        raw = b""
    if raw:
        return raw.replace(b"\0", b" ").decode(errors="replace").strip()
    try:  # no /proc (macOS): ask ps
        return subprocess.run(  # noqa: S603 - fixed argv
            ["ps", "-o", "command=", "-p", str(pid)],  # noqa: S607 - ps from PATH is fine here
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return ""


def read_pid(pid_file: Path) -> int | None:
    """The first line of a pid file as a number, or None if the file is missing or garbled."""
    try:
        return int(pid_file.read_text().splitlines()[0].strip())
    except (OSError, ValueError, IndexError):
        return None


def terminate(pid: int, *, timeout: float) -> None:
    """SIGTERM, then SIGKILL if the process still exists after `timeout` seconds; returns once it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not pid_alive(pid), timeout=timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not pid_alive(pid), timeout=5)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Holds an exclusive flock on `path` (created if needed) for the duration of the block.

    Serialises start and stop across processes (two terminals, pytest and `make run`, ...). The lock
    goes away with the process, so a crash never leaves it stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a text file, for error messages ('' if it cannot be read)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
