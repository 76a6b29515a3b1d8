"""The websocket protocol uvicorn runs for each connection: `--ws caunoi.config.ws_protocol:LeanWebSocketProtocol`
(deploy/entrypoint.sh, deploy/local-cluster and the test servers all pass it).

It is uvicorn's `websockets-sansio` protocol (the one `--ws auto` picks, and of uvicorn's three the one that
keeps least per connection), which holds the opening handshake for the connection's whole life: the parsed
request and the response, each with its headers. A dialogue room keeps thousands of idle connections per
process, and those two were ≈ 3.5 KiB of each connection's ≈ 23 KiB (tracemalloc over 2,000 idle room
connections; the bare `websockets` server costs ≈ 13 KiB). Nothing reads them once the handshake is answered
(the response is written when the application accepts; the ASGI scope has its own copy of what the app needs),
so they are let go then. Everything else is uvicorn's own behaviour.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
