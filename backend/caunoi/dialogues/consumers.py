"""The live room's websocket: `/ws/dialogues/<id>/?since=N`. One JSON protocol for viewers, moderators and
hosts (see ws.py for the frames and actions). Thin: parse, check the role, call a service, reply."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from caunoi.core import safejson

from .hub import CLOSE_TOO_SLOW, Room, Viewer, hub
from .ratelimit import ConnectionLimiter
from .selectors import messages_after
from .ws import MAX_FRAME_BYTES, RoomEntry, error_frame, room_entry, run_action

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404


def in_thread(function: Any) -> Any:
    """Database work off the event loop, in the shared thread pool rather than the one thread Channels uses by
    default: actions from different connections (thousands of voters) run side by side, each connection's own
    in the order it sent them (the consumer awaits each)."""
    return database_sync_to_async(function, thread_sensitive=False)


class DialogueConsumer(AsyncWebsocketConsumer):
    entry: RoomEntry | None = None
    room: Room | None = None
    viewer: Viewer | None = None
    limiter: ConnectionLimiter | None = None
    _task: asyncio.Task[Any] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Broadcasts reach viewers through the hub's one subscription per process, not through a channel-layer
        # channel per connection (that per-viewer hop is what the hub exists to avoid). With the socket as the
        # only source, frames are received and dispatched in this task: Channels' two-source loop would keep an
        # extra task and a wait per idle connection, thousands of them.
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def connect(self) -> None:
        dialogue_id = int(self.scope["url_route"]["kwargs"]["dialogue_id"])
        since = _since(self.scope.get("query_string", b""))
        self.entry = await in_thread(room_entry)(self.scope, dialogue_id)
        if self.entry is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.accept()
        self._task = asyncio.current_task()
        user_id = self.entry.user.pk if self.entry.user is not None else None
        self.viewer = Viewer(self.base_send, staff=self.entry.staff, on_slow=self._too_slow, user_id=user_id)
        # Who is counted among the people who watched: the account or device, else the address.
        who = self.entry.person or f"ip:{self.entry.address}"
        self.room = await hub().join(dialogue_id, self.viewer, who)
        replay = await in_thread(messages_after)(dialogue_id, since, staff=self.entry.staff)
        data: dict[str, Any] = {"roles": sorted(self.entry.roles), "last_seq": replay.last_seq}
        if replay.too_far_behind:
            data["reload"] = True  # the page holds the state; reload it rather than replay everything
        hello = {"type": "hello", "data": data}
        await self.send(text_data=json.dumps(hello))
        for frame in replay.frames:
            await self.send(text_data=frame)
        self.room.go_live(self.viewer, replay.last_seq)
        self._forget_handshake()

    def _forget_handshake(self) -> None:
        """Lets go of the opening handshake once the room knows who connected (self.entry): thousands of idle
        connections per process would each keep its headers (the session cookie among them) for nothing. The
        server and every routing layer share one headers list (each layer's scope is a shallow copy), so it is
        emptied in place; the server only logs the client's address and path, which stay."""
        headers = self.scope.get("headers")
        if isinstance(headers, list):
            headers.clear()
        self.scope = {"type": "websocket", "url_route": self.scope.get("url_route")}

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch first closes stale database connections in a worker thread: one extra thread hop
        # per frame. Every database call here goes through database_sync_to_async, which does that itself.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        if self.room is not None and self.viewer is not None:
            self.room.remove(self.viewer)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        assert self.entry is not None
        if text_data is None or len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            await self.send(text_data=error_frame("bad_frame", None))
            return
        try:
            request = safejson.loads(text_data)
        except safejson.UnsafeJSON as exc:
            await self.send(text_data=error_frame("bad_frame", None, exc.message))
            return
        except ValueError:
            await self.send(text_data=error_frame("bad_frame", None))
            return
        if not isinstance(request, dict) or not isinstance(request.get("action"), str):
            await self.send(text_data=error_frame("bad_frame", None))
            return
        action, ref = request["action"], request.get("ref")
        if self.limiter is None:
            self.limiter = ConnectionLimiter()  # only connections that act pay for one
        if action in {"ask", "vote"} and not self.limiter.allowed(action):
            await self.send(text_data=error_frame("rate_limited", ref))
            return
        try:
            reply = await in_thread(run_action)(self.entry, action, request)
        except Exception:
            # run_action answers every refusal itself; anything else is a bug, but the protocol promises that an
            # error never closes the connection: the viewer keeps the room and we get the traceback.
            logger.exception("dialogue %s: action %r failed", self.entry.dialogue_id, action)
            reply = json.loads(error_frame("failed", None))
        if ref is not None and isinstance(ref, str | int):
            reply["ref"] = ref
        await self.send(text_data=json.dumps(reply, ensure_ascii=False))

    def _too_slow(self) -> None:
        asyncio.get_running_loop().create_task(self._close_too_slow())

    async def _close_too_slow(self) -> None:
        try:
            await asyncio.wait_for(self.close(code=CLOSE_TOO_SLOW), timeout=5)
        except Exception:
            # The close frame cannot even be written: end the connection; the server drops the socket.
            if self._task is not None and not self._task.done():
                self._task.cancel()


def _since(query_string: bytes) -> int:
    values = parse_qs(query_string.decode("latin-1")).get("since", [])
    try:
        return max(0, int(values[0])) if values else 0
    except ValueError:
        return 0
