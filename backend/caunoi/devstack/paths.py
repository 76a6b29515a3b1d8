"""Where things are: the repository, the local data folder, the virtualenv's scripts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = BACKEND_DIR.parent
MANAGE_PY = BACKEND_DIR / "manage.py"

LOCAL_DIR_VARIABLE = "CAUNOI_LOCAL_DIR"


def local_dir() -> Path:
    """The folder for embedded data: $CAUNOI_LOCAL_DIR if set (made absolute), else `.local/` in the repo.

    Matches `LOCAL_DIR` in the settings, so media files and database end up side by side.
    """
    configured = os.environ.get(LOCAL_DIR_VARIABLE)
    return Path(configured).expanduser().absolute() if configured else REPO_DIR / ".local"


def venv_bin() -> Path:
    """The folder of the running interpreter's scripts (uvicorn, celery, ...).

    Normalised but deliberately not resolved: in a virtualenv `python` is a symlink to the base
    interpreter, and resolving it would lead away from the virtualenv's own `bin/`.
    """
    return Path(os.path.normpath(os.path.abspath(sys.executable))).parent


def venv_command(script: str) -> list[str]:
    """The argv prefix that runs `script` from this virtualenv, or `python -m script` if it has no script."""
    path = venv_bin() / script
    return [str(path)] if path.exists() else [sys.executable, "-m", script]


def prepare_local_dir() -> Path:
    """Creates the local folder and returns it; a relative $CAUNOI_LOCAL_DIR is made absolute in the
    environment too, because children (and the settings, for media files) run from backend/."""
    local = local_dir()
    if os.environ.get(LOCAL_DIR_VARIABLE):
        os.environ[LOCAL_DIR_VARIABLE] = str(local)
    local.mkdir(parents=True, exist_ok=True)
    return local
