"""Which servers to embed, and the environment that points the project at them.

The rule: a service is embedded exactly when its variable is unset (neither NAME nor NAME_FILE, the two
forms the settings accept). A configured server is always used as it is and never started or stopped.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from . import embedded
from .paths import BACKEND_DIR, venv_bin

VARIABLES = {embedded.POSTGRES: "DATABASE_URL", embedded.REDIS: "REDIS_URL"}


def unconfigured() -> list[str]:
    """The services (embedded.POSTGRES, embedded.REDIS) whose URL variable is not set."""
    return [name for name, variable in VARIABLES.items() if not _is_set(variable)]


def _is_set(variable: str) -> bool:
    return bool(os.environ.get(variable) or os.environ.get(f"{variable}_FILE"))


def publish(services: list[embedded.Service]) -> None:
    """Puts the embedded services' URLs into this process's environment (inherited by children)."""
    for service in services:
        os.environ[VARIABLES[service.name]] = service.url


def child_environment() -> dict[str, str]:
    """This process's environment plus what the project's processes need to find their code and tools:
    backend/ on PYTHONPATH, the virtualenv's scripts first on PATH, unbuffered output for live logs."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BACKEND_DIR), env.get("PYTHONPATH")]))
    env["PATH"] = os.pathsep.join(filter(None, [str(venv_bin()), env.get("PATH")]))
    env.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def development_secret_key(local: Path) -> str:
    """A random SECRET_KEY created once in `<local>/secret_key` (mode 0600) and reused afterwards,
    so sessions and signed links survive restarts of `make run`."""
    path = local / "secret_key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    return path.read_text().strip()
