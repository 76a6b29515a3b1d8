"""Web requests run under a statement timeout; workers and commands do not (they run long statements on
purpose: exports, migrations, backups). Checked in real processes, as the setting is chosen at start-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PROBE = """
import os, sys
if sys.argv[1] == "web":
    import caunoi.config.asgi  # what uvicorn imports
else:
    import django; django.setup()
from django.db import connection, OperationalError
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
    try:
        cursor.execute("SELECT pg_sleep(1.5)")
        print("finished")
    except OperationalError as exc:
        print(type(exc.__cause__).__name__)
"""


def probe(role: str, **env: str) -> list[str]:
    from django.db import connection

    database = connection.settings_dict  # the test database: the one that surely exists
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "DJANGO_SETTINGS_MODULE": "caunoi.config.settings",
        "PYTHONPATH": str(settings.BACKEND_DIR),
        **env,
    }
    environment.pop("CAUNOI_WEB_PROCESS", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, role], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.split()


def test_a_web_process_cancels_a_statement_that_runs_too_long():
    assert probe("web", DATABASE_STATEMENT_TIMEOUT_MS="500") == ["500ms", "QueryCanceled"]


def test_the_default_for_web_is_thirty_seconds_and_commands_have_no_limit():
    assert probe("web")[0] == "30s"
    assert probe("command", DATABASE_STATEMENT_TIMEOUT_MS="500") == ["0", "finished"]
