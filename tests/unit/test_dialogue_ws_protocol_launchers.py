"""Every way the project starts uvicorn runs the same websocket protocol, the one that lets go of each
connection's handshake (caunoi/config/ws_protocol.py): production, the local cluster, `make run` and the test
servers would otherwise measure and behave differently per idle dialogue viewer."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from caunoi.devstack.supervisor import web_command
from caunoi.dialogues import testing

ROOT = Path(__file__).resolve().parents[2]
LEAN = "caunoi.config.ws_protocol:LeanWebSocketProtocol"


@pytest.mark.parametrize("launcher", ["deploy/entrypoint.sh", "deploy/local-cluster"])
def test_deploy_launchers_use_the_lean_protocol(launcher):
    assert f"--ws {LEAN}" in (ROOT / launcher).read_text(encoding="utf-8")


def test_make_run_uses_the_lean_protocol():
    command = web_command("127.0.0.1", 8000, env={})
    assert command[command.index("--ws") + 1] == LEAN


def test_test_servers_use_the_lean_protocol():
    assert f'"--ws", "{LEAN}"' in inspect.getsource(testing.start_asgi_server)
