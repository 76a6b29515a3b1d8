"""The websocket protocol uvicorn runs for each connection: `--ws caunoi.config.ws_protocol:LeanWebSocketProtocol`
(deploy/entrypoint.sh, deploy/local-cluster, `make run` and the test servers all pass it).

It is uvicorn's `websockets-sansio` protocol (the one `--ws auto` picks, and of uvicorn's three the one that
keeps least per connection), which holds the opening handshake for the connection's whole life: the parsed
request (websockets' parser keeps it too) and the response, each with its headers. A dialogue room keeps
thousands of idle connections per process, and those were ≈ 3.5 KiB of each connection's ≈ 23 KiB
(tracemalloc over 2,000 idle room connections; the bare `websockets` server costs ≈ 13 KiB in all). Nothing
reads them once the handshake is answered (the response is written when the application accepts; the ASGI
scope has its own copy of what the app needs), so they are let go then. Everything else is uvicorn's own.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete and self.request is not None:
            # websockets' parser keeps the request object in its generator's frame for the connection's life:
            # its headers are emptied, not only our reference dropped.
            self.request.headers.clear()
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
