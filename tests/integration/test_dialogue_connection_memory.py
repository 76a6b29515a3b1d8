"""What an idle room connection keeps once it has opened: a room holds thousands of them per process, so the
opening handshake (headers with the session cookie, uvicorn's parsed request and response) is let go as soon as
the room knows who connected (tests/bench/fanout_bench.py measures the memory per connection)."""

from __future__ import annotations

import asyncio
import gc

import pytest
import pytest_asyncio
import uvicorn
from asgiref.sync import sync_to_async
from caunoi.config.ws_protocol import LeanWebSocketProtocol
from caunoi.dialogues.hub import hub_shutdown
from caunoi.dialogues.testing import cookie_header, free_port, make_dialogue, room_communicator
from django.db import connection
from websockets.asyncio.client import connect
from websockets.http11 import Request

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def _clean_hub():
    yield
    await hub_shutdown()
    await sync_to_async(connection.close_pool)()


async def test_the_room_keeps_no_handshake_headers_once_connected(personas, reference_data):
    dialogue = await sync_to_async(make_dialogue)(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[]
    )
    cookies = await sync_to_async(cookie_header)(personas["leader"])
    communicator = room_communicator(dialogue.pk, cookies=cookies)
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "hello" and "host" in hello["data"]["roles"]  # the session was read first
    # The scope the server handed over shares its headers list with every layer's copy: emptied, none keeps
    # the cookie (the session key) or the other headers.
    assert communicator.scope["headers"] == []
    await communicator.disconnect()


async def test_uvicorn_lets_the_handshake_go_once_the_socket_is_accepted():
    accepted = asyncio.Event()

    async def app(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        accepted.set()
        while (await receive())["type"] != "websocket.disconnect":
            pass

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws=LeanWebSocketProtocol, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        cookie = {"Cookie": "sessionid=secret"}
        async with connect(f"ws://127.0.0.1:{port}/lean-check", additional_headers=cookie) as ws:
            await asyncio.wait_for(accepted.wait(), 3)
            (protocol,) = [c for c in server.server_state.connections if isinstance(c, LeanWebSocketProtocol)]
            assert protocol.request is None
            assert protocol.response is None
            # websockets' parser keeps the parsed request in its generator's frame for the connection's life:
            # no request still alive holds the handshake's headers (the cookie among them).
            gc.collect()
            server_side = [o for o in gc.get_objects() if isinstance(o, Request) and o is not ws.request]
            requests = [request for request in server_side if request.path == "/lean-check"]
            assert requests and all(not request.headers for request in requests)
    finally:
        server.should_exit = True
        await serving
