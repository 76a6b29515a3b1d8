"""Start, reuse and stop the embedded PostgreSQL and Redis of one local folder.

Every operation holds an exclusive lock on `<local>/devstack.lock`, so any number of processes may call
these functions at once (two terminals running `make run` and `make test`, pytest workers, ...): the
first one starts a server, the others find it running and reuse it.

Servers outlive the process that started them (they are daemons). Processes that depend on them
register as *holders* (`<local>/devstack.holders`, a JSON list of pids); `release()` stops the servers
a process started only when no other live holder still uses them, so `make run` exiting does not pull
the database from under a concurrent `make test`. `stop_embedded()` (`make down`) stops unconditionally.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import _postgres, _redis
from ._proc import DevstackError, file_lock, pid_alive

__all__ = [
    "POSTGRES",
    "REDIS",
    "DevstackError",
    "Service",
    "acquire",
    "ensure_postgres",
    "ensure_redis",
    "release",
    "stop_embedded",
]

POSTGRES = "postgres"
REDIS = "redis"
_ENSURE = {POSTGRES: _postgres.ensure, REDIS: _redis.ensure}
_STOP = {POSTGRES: _postgres.stop, REDIS: _redis.stop}
_LABEL = {POSTGRES: "PostgreSQL", REDIS: "Redis"}


@dataclass(frozen=True)
class Service:
    """An embedded server as one call found it: its URL, and whether that call started it."""

    name: str
    url: str
    started: bool

    @property
    def label(self) -> str:
        return _LABEL[self.name]


def ensure_postgres(local_dir: Path | str) -> str:
    """Starts the embedded PostgreSQL if needed (initdb on first use) and returns its DATABASE_URL,
    `postgres://postgres@127.0.0.1:PORT/caunoi`. The `caunoi` database exists when this returns.
    Raises DevstackError, naming the log file, if the server cannot be started."""
    with _locked(local_dir) as local:
        return _ensure(local, POSTGRES).url


def ensure_redis(local_dir: Path | str) -> str:
    """Starts the embedded Redis if needed and returns its REDIS_URL, `redis://127.0.0.1:PORT/0`.
    Raises DevstackError, naming the log file, if the server cannot be started."""
    with _locked(local_dir) as local:
        return _ensure(local, REDIS).url


def acquire(local_dir: Path | str, names: Iterable[str], *, holder: int | None = None) -> list[Service]:
    """Ensures the named services run and registers `holder` (default: this process) as using them,
    in one locked step so no concurrent `release()` can stop a server between the two."""
    with _locked(local_dir) as local:
        services = [_ensure(local, name) for name in names]
        pid = os.getpid() if holder is None else holder
        _write_holders(local, {*_live_holders(local), pid})
        return services


def release(local_dir: Path | str, started: Iterable[Service], *, holder: int | None = None) -> list[int]:
    """Unregisters `holder` and stops the services in `started` unless another live holder remains.

    Returns the pids of the remaining holders: empty means the services were stopped.
    """
    with _locked(local_dir) as local:
        pid = os.getpid() if holder is None else holder
        others = _live_holders(local) - {pid}
        _write_holders(local, others)
        if not others:
            for service in started:
                _STOP[service.name](local)
        return sorted(others)


def stop_embedded(local_dir: Path | str) -> list[str]:
    """Stops the embedded PostgreSQL and Redis of this local folder, whichever run, whoever uses them.
    Returns the labels of the servers that were running. Data stays on disk."""
    with _locked(local_dir) as local:
        stopped = [_LABEL[name] for name in (POSTGRES, REDIS) if _STOP[name](local)]
        _write_holders(local, set())
        return stopped


def _ensure(local: Path, name: str) -> Service:
    url, started = _ENSURE[name](local)
    return Service(name=name, url=url, started=started)


@contextmanager
def _locked(local_dir: Path | str) -> Iterator[Path]:
    local = Path(local_dir).absolute()
    local.mkdir(parents=True, exist_ok=True)
    with file_lock(local / "devstack.lock"):
        yield local


def _holders_file(local: Path) -> Path:
    return local / "devstack.holders"


def _live_holders(local: Path) -> set[int]:
    try:
        pids = json.loads(_holders_file(local).read_text())
    except (OSError, ValueError):
        return set()
    return {pid for pid in pids if isinstance(pid, int) and pid_alive(pid)}


def _write_holders(local: Path, pids: set[int]) -> None:
    path = _holders_file(local)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(sorted(pids)))
    temporary.replace(path)
