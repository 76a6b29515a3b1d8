"""The process-local fan-out of a dialogue's room.

Stock Channels delivers a group message to each consumer through its own queue, task and dispatch: measured
here, that per-viewer hop cannot keep up with a thousand viewers (see /work/shared/ARCHITECTURE.md §5). So
each process holds, per live dialogue, ONE Redis pub/sub subscription and a registry of its own viewer
connections, and writes each broadcast's frame (serialised once, by the service that stored it) to every
viewer in one pass, without yielding to the event loop per viewer.

Guarantees:
- Frames reach a viewer in sequence order. A frame arriving ahead of a missing number is held briefly; if the
  missing one does not arrive (a lost or late publish), it is read from the database.
- A viewer whose socket buffer is full (the server's `send` would have to wait) is dropped from the room at
  once and closed with CLOSE_TOO_SLOW: the client resumes with `since=` and loses nothing.
- A viewer joining is registered before it reads its replay from the database; frames arriving meanwhile
  are kept and sent after the replay, without duplicates, including frames the room receives only after the
  replay read them (the room can be a moment behind the database: a publish follows its commit).

It relies on the ASGI server's `send` completing without suspending while the socket's buffer has room, as
uvicorn's three websocket implementations do (they only wait when the transport pauses writing).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Greatest

from caunoi.accounts.models import User

from .access import is_staff_of, room_roles
from .models import Dialogue
from .selectors import wire_messages_between
from .services.broadcast import room_channel

logger = logging.getLogger(__name__)

# Close code telling a client it fell behind and should reconnect with since=<last seq it has>.
CLOSE_TOO_SLOW = 4008
# How long a frame arriving ahead of a missing number waits for it before the room reads it from the database.
GAP_WAIT = 0.3
# A viewer still reading its replay keeps at most this many live frames; beyond that it is too slow.
MAX_PENDING = 1000
# How often each process reports its viewer count and sends the room's total to its viewers.
VIEWER_COUNT_EVERY = 5.0
# An empty room keeps its subscription this long, so a page reload does not resubscribe.
ROOM_LINGER = 10.0

ASGISend = Callable[[dict[str, Any]], Awaitable[None]]
# A HyperLogLog per dialogue of the people who joined its room (kept long after the dialogue for its figures
# to be read again; the stored copy on the dialogue is what reports read).
PEOPLE_KEY = "caunoi:dlg-people:{dialogue_id}"
PEOPLE_KEEP_SECONDS = 7 * 24 * 3600
# A Redis hash per live dialogue: each process's viewer count and when it reported it ("count:unix time").
VIEWER_COUNTS_KEY = "caunoi:dlg-viewers:{dialogue_id}"


def viewers_reported(values: list[Any], now: float) -> int:
    """The room's viewers over every process, from the hash's values; processes that stopped reporting (three
    periods without a word) are not counted."""
    total = 0
    for value in values:
        count, _, at = (value.decode() if isinstance(value, bytes) else value).partition(":")
        if now - float(at) <= VIEWER_COUNT_EVERY * 3:
            total += int(count)
    return total


class Viewer:
    """One websocket connection in a room, as the hub sees it: its ASGI `send` and whether it is staff."""

    __slots__ = ("gone", "on_slow", "pending", "ready", "replayed_upto", "send", "staff", "user_id")

    def __init__(self, send: ASGISend, *, staff: bool, on_slow: Callable[[], None], user_id: int | None = None) -> None:
        self.send = send
        self.staff = staff
        self.user_id = user_id  # whose staff role the room checks again every round (see count_viewers_once)
        self.on_slow = on_slow
        self.ready = False  # False while the connection is sent its replay from the database
        self.gone = False  # the client went away: its consumer is told by the server, nothing to close
        self.pending: list[tuple[int, dict[str, Any]]] = []
        # The last number its replay from the database held: the room may still be behind the database (a
        # publish arrives a moment after its commit), and must not send those numbers a second time.
        self.replayed_upto = 0

    def push(self, message: dict[str, Any]) -> bool:
        """Writes `message` now if the socket takes it without waiting; False if it would have to wait (the
        viewer is too slow) or is gone. The send coroutine is stepped by hand: when the server's buffer has
        room it completes in that one step, with no task and no trip through the event loop."""
        coroutine = self.send(message)
        try:
            coroutine.send(None)  # type: ignore[attr-defined]
        except StopIteration:
            return True
        except Exception:
            self.gone = True
            return False
        coroutine.close()  # type: ignore[attr-defined]  # it waits for the buffer to drain: give up, drop the viewer
        return False


class Room:
    def __init__(self, hub: Hub, dialogue_id: int) -> None:
        self.hub = hub
        self.dialogue_id = dialogue_id
        self.viewers: set[Viewer] = set()
        self.next_seq = 0
        self.held: dict[int, tuple[str, str]] = {}
        self._gap_timer: asyncio.TimerHandle | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._pubsub: Any = None
        self.closed = False
        # Running tasks only: each removes itself when done (a gap fill is short-lived; a busy room with lost
        # publishes would otherwise keep every finished one).
        self._tasks: set[asyncio.Task[None]] = set()
        self._viewer_count = -1
        self._joined: set[str] = set()  # who joined since the last count (for the number of people who watched)
        self._peak_recorded = self._people_recorded = 0
        self.started: asyncio.Future[None] = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        self._pubsub = self.hub.redis.pubsub()
        await self._pubsub.subscribe(room_channel(self.dialogue_id))
        # Read after subscribing: anything numbered up to here is in the database, anything after arrives here.
        last = await database_sync_to_async(_last_seq)(self.dialogue_id)
        self.next_seq = last + 1
        self._spawn(self._read())
        self._spawn(self._count_viewers())

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self) -> None:
        lost = False
        while True:
            try:
                async for message in self._pubsub.listen():
                    if lost:  # the subscription is back (its confirmation is the first message)
                        lost = False
                        await self._catch_up()
                    if message["type"] == "message":
                        self.on_wire(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("dialogue %s: room subscription lost; retrying", self.dialogue_id, exc_info=True)
                lost = True
                await asyncio.sleep(0.5)

    async def _catch_up(self) -> None:
        """What was stored while the subscription was lost (Redis down or restarting) comes from the database:
        the room may stay quiet afterwards, so no later message would reveal the gap."""
        last = await database_sync_to_async(_last_seq)(self.dialogue_id)
        if last >= self.next_seq:
            await self._deliver_stored(self.next_seq, last)
        self._release_held()

    def on_wire(self, raw: bytes | str) -> None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        audience, number, frame = text.split(":", 2)
        seq = int(number)
        if seq < self.next_seq:
            return  # already delivered, or stored before this room subscribed (joiners replay it)
        if seq > self.next_seq:
            self.held[seq] = (audience, frame)
            if self._gap_timer is None:
                self._gap_timer = asyncio.get_running_loop().call_later(GAP_WAIT, self._gap_timeout)
            return
        self._deliver(audience, frame, seq)
        self._release_held()

    def _release_held(self) -> None:
        while self.next_seq in self.held:
            audience, frame = self.held.pop(self.next_seq)
            self._deliver(audience, frame, self.next_seq)
        if not self.held and self._gap_timer is not None:
            self._gap_timer.cancel()
            self._gap_timer = None

    def _gap_timeout(self) -> None:
        self._gap_timer = None
        if self.held and not self.closed:
            self._spawn(self._fill_gap())

    async def _fill_gap(self) -> None:
        await self._deliver_stored(self.next_seq, min(self.held) - 1)
        if self.held and self.next_seq < min(self.held):
            logger.error("dialogue %s: messages %s… missing from the database", self.dialogue_id, self.next_seq)
            self.next_seq = min(self.held)
        self._release_held()

    async def _deliver_stored(self, first: int, last: int) -> None:
        """Delivers the stored messages first..last that this room has not delivered yet, in order."""
        rows = await database_sync_to_async(wire_messages_between)(self.dialogue_id, first, last)
        for audience, seq, frame in rows:
            if seq == self.next_seq:
                self._deliver(audience[0], frame, seq)

    def _deliver(self, audience: str, frame: str, seq: int) -> None:
        """Writes one frame to every local viewer it is meant for; the message dict is shared by all."""
        self.next_seq = seq + 1
        message = {"type": "websocket.send", "text": frame}
        staff_only = audience == "s"
        slow: list[Viewer] = []
        for viewer in self.viewers:
            if staff_only and not viewer.staff:
                continue
            if not viewer.ready:
                viewer.pending.append((seq, message))
                if len(viewer.pending) > MAX_PENDING:
                    slow.append(viewer)
            elif seq <= viewer.replayed_upto:
                continue  # sent in its replay already
            elif not viewer.push(message):
                slow.append(viewer)
        for viewer in slow:
            self.viewers.discard(viewer)
            if not viewer.gone:
                viewer.on_slow()

    def go_live(self, viewer: Viewer, upto: int) -> bool:
        """After `viewer` was sent the replay up to `upto`: sends what arrived meanwhile and lets the room write
        to it directly from now on. False if the viewer fell behind (it has been dropped)."""
        pending, viewer.pending = viewer.pending, []
        viewer.ready, viewer.replayed_upto = True, upto
        for seq, message in pending:
            if seq > upto and not viewer.push(message):
                self.viewers.discard(viewer)
                if not viewer.gone:
                    viewer.on_slow()
                return False
        return True

    def send_local(self, frame: str) -> None:
        """An unnumbered frame (the viewer count) to this process's viewers; never stored, never resumed."""
        message = {"type": "websocket.send", "text": frame}
        for viewer in list(self.viewers):
            if viewer.ready:
                viewer.push(message)  # a full buffer only skips this count; the next numbered frame decides

    async def _count_viewers(self) -> None:
        while True:
            await asyncio.sleep(self.hub.count_every)
            try:
                await self.count_viewers_once(time.time())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("dialogue %s: viewer count unavailable", self.dialogue_id, exc_info=True)

    async def count_viewers_once(self, now: float) -> int:
        """Reports this process's viewers, reads the room's total over every process, sends it to the local
        viewers when it changed, and keeps the audience figures for reports: the peak of that total and the
        number of different people seen (a HyperLogLog in Redis, fed with the people who joined since the last
        round: one command per round, not one per connection). Returns the total."""
        key = VIEWER_COUNTS_KEY.format(dialogue_id=self.dialogue_id)
        redis = self.hub.redis
        await redis.hset(key, self.hub.process_id, f"{len(self.viewers)}:{now:.0f}")
        await redis.expire(key, int(VIEWER_COUNT_EVERY * 4))
        total = viewers_reported(await redis.hvals(key), now)
        people_key = PEOPLE_KEY.format(dialogue_id=self.dialogue_id)
        if self._joined:
            joined, self._joined = list(self._joined), set()
            await redis.pfadd(people_key, *joined)
            await redis.expire(people_key, PEOPLE_KEEP_SECONDS)
        people = int(await redis.pfcount(people_key))
        await self._recheck_staff()
        if total > self._peak_recorded or people > self._people_recorded:
            await database_sync_to_async(_record_audience)(self.dialogue_id, total, people)
            self._peak_recorded = max(total, self._peak_recorded)
            self._people_recorded = max(people, self._people_recorded)
        if total != self._viewer_count:
            self._viewer_count = total
            self.send_local(json.dumps({"type": "viewers", "data": {"count": total}}))
        return total

    async def _recheck_staff(self) -> None:
        """A moderator or host removed from the dialogue (or switched off) stops receiving the staff-only frames
        (questions waiting for moderation, askers' names) within one round, without reconnecting. Staff are a
        handful of connections: one query for all of them."""
        staff = [viewer for viewer in self.viewers if viewer.staff and viewer.user_id is not None]
        if not staff:
            return
        still = await database_sync_to_async(staff_user_ids)(self.dialogue_id, {v.user_id for v in staff})
        for viewer in staff:
            if viewer.user_id not in still:
                viewer.staff = False

    def add(self, viewer: Viewer, who: str = "") -> None:
        self.viewers.add(viewer)
        if who:
            self._joined.add(who)
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None

    def remove(self, viewer: Viewer) -> None:
        self.viewers.discard(viewer)
        if not self.viewers and self._linger is None and not self.closed:
            self._linger = asyncio.get_running_loop().call_later(self.hub.linger, self._close_if_empty)

    def _close_if_empty(self) -> None:
        self._linger = None
        if not self.viewers:
            self.hub.forget(self)
            self.hub.closing(self.close())

    async def close(self) -> None:
        """Ends the room's subscription and tasks. Idempotent; the hub has forgotten the room already."""
        self.closed = True
        for task in list(self._tasks):
            task.cancel()
        if self._gap_timer is not None:
            self._gap_timer.cancel()
        if self._linger is not None:
            self._linger.cancel()
        if not self.started.done():
            self.started.cancel()
        if self._pubsub is not None:
            try:
                await self._pubsub.aclose()
            except Exception:
                logger.debug("closing a room's subscription failed", exc_info=True)


def staff_user_ids(dialogue_id: int, user_ids: set[int | None]) -> set[int]:
    """Which of `user_ids` are still moderators or hosts of the dialogue (roles as access.room_roles reads them)."""
    dialogue = Dialogue.objects.get(pk=dialogue_id)
    users = User.objects.filter(pk__in=[pk for pk in user_ids if pk is not None], is_active=True)
    return {user.pk for user in users if is_staff_of(room_roles(user, dialogue))}


def _record_audience(dialogue_id: int, peak: int, people: int) -> None:
    """Raises the dialogue's stored audience figures to at least these (several processes write them)."""
    Dialogue.objects.filter(pk=dialogue_id).update(
        viewers_peak=Greatest("viewers_peak", Value(peak)), viewers_total=Greatest("viewers_total", Value(people))
    )


def _last_seq(dialogue_id: int) -> int:
    return Dialogue.objects.filter(pk=dialogue_id).values_list("last_seq", flat=True).first() or 0


class Hub:
    """The rooms of one event loop (one per process under uvicorn; one per test under pytest-asyncio)."""

    def __init__(self, linger: float = ROOM_LINGER, count_every: float = VIEWER_COUNT_EVERY) -> None:
        self.count_every = count_every
        self.redis = aioredis.Redis.from_url(str(settings.REDIS_URL))
        self.rooms: dict[int, Room] = {}
        self.linger = linger
        self.process_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

        self._closing: set[asyncio.Task[None]] = set()

    async def join(self, dialogue_id: int, viewer: Viewer, who: str = "") -> Room:
        """Registers `viewer` in the dialogue's room, subscribing this process to it if it is the first.

        A room whose subscription fails is forgotten and closed at once, with every viewer that was waiting for
        it (each join raises): nothing of it lingers, so it can never evict or double the room that the next
        join creates. There is at most one room, hence one subscription, per dialogue in a process."""
        room = self.rooms.get(dialogue_id)
        if room is None:
            room = self.rooms[dialogue_id] = Room(self, dialogue_id)
        room.add(viewer, who)
        try:
            await asyncio.shield(room.started)
        except Exception:
            room.viewers.discard(viewer)
            self.forget(room)
            self.closing(room.close())
            raise
        return room

    def forget(self, room: Room) -> None:
        """Removes `room` from the registry if it is still the dialogue's room (never a newer one)."""
        if self.rooms.get(room.dialogue_id) is room:
            del self.rooms[room.dialogue_id]

    def closing(self, coroutine: Any) -> None:
        """Runs a room's close in the background, keeping a reference until it is done."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def shutdown(self) -> None:
        rooms, self.rooms = list(self.rooms.values()), {}
        for room in rooms:
            await room.close()
        await self.redis.aclose()


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None:
        current = _hubs[loop] = Hub()
    return current


async def hub_shutdown() -> None:
    """Closes this loop's rooms and Redis connections (tests; server shutdown)."""
    current = _hubs.pop(asyncio.get_running_loop(), None)
    if current is not None:
        await current.shutdown()
