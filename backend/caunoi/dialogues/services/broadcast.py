"""Storing and publishing a room's broadcasts. Every broadcast gets the dialogue's next sequence number and is
stored in the caller's transaction; it is published to the processes serving the room only after commit."""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from caunoi.core.redis_client import redis_client

from ..models import Audience, Dialogue, DialogueMessage
from .errors import DialogueStateError

logger = logging.getLogger(__name__)


def room_channel(dialogue_id: int) -> str:
    """The Redis pub/sub channel of a dialogue's room (one subscription per process serving it)."""
    return f"caunoi:dialogue:{dialogue_id}"


def wire_message(audience: str, seq: int, frame: str) -> str:
    """What travels on Redis: the audience's initial, the sequence number and the frame sent to clients as is,
    so that a process reads the number without parsing the JSON."""
    return f"{audience[0]}:{seq}:{frame}"


def encode_frame(seq: int, type_: str, data: dict[str, Any]) -> str:
    return json.dumps({"seq": seq, "type": type_, "data": data}, ensure_ascii=False, separators=(",", ":"))


_TABLE, _MESSAGES = Dialogue._meta.db_table, DialogueMessage._meta.db_table
# One statement numbers and stores the message: the counter row is updated (and stays locked until commit)
# and the frame is written with its number in front, so the hot paths (votes, answers) pay one round trip.
_NUMBER_AND_STORE = f"""
WITH counter AS (
    UPDATE {_TABLE} SET last_seq = last_seq + 1 WHERE id = %(dialogue)s RETURNING last_seq, state
)
INSERT INTO {_MESSAGES} (dialogue_id, seq, type, audience, payload, frame, created_at)
SELECT %(dialogue)s, counter.last_seq, %(type)s, %(audience)s, %(payload)s::jsonb,
       '{{"seq":' || counter.last_seq || ',' || %(body)s, now()
FROM counter
RETURNING seq, frame, (SELECT state FROM counter)
"""  # noqa: S608 - table names from model metadata; values are parameters


def message_broadcast(
    *, dialogue_id: int, type_: str, data: dict[str, Any], audience: str = Audience.PUBLIC, require_state: str = ""
) -> tuple[int, str]:
    """Stores one broadcast with the dialogue's next sequence number and publishes it after commit; returns
    (seq, frame).

    Must run inside the caller's transaction (the service's): the counter row stays locked until it commits,
    so concurrent broadcasts of one dialogue are numbered in commit order with no gaps, and a rolled back
    change is neither stored nor sent. The frame is serialised here, once, and sent to every client as is.
    With `require_state`, raises DialogueStateError (rolling the caller back) unless the dialogue is in it:
    the check rides on the same statement, so the state cannot change before commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("message_broadcast must run inside the service's transaction")
    body = json.dumps({"type": type_, "data": data}, ensure_ascii=False, separators=(",", ":"))[1:]
    params: dict[str, str | int] = {
        "dialogue": dialogue_id,
        "type": type_,
        "audience": audience,
        "payload": json.dumps(data, ensure_ascii=False),
        "body": body,
    }
    with connection.cursor() as cursor:
        cursor.execute(_NUMBER_AND_STORE, params)
        row = cursor.fetchone()
    if row is None:
        raise DialogueMessage.DoesNotExist(f"dialogue {dialogue_id} does not exist")
    seq, frame, state = int(row[0]), str(row[1]), str(row[2])
    if require_state and state != require_state:
        raise DialogueStateError(_("The dialogue is not live."))
    transaction.on_commit(partial(_publish, dialogue_id, wire_message(audience, seq, frame)))
    return seq, frame


def _publish(dialogue_id: int, wire: str) -> None:
    # A lost publish loses nothing: the message is stored, the rooms fetch a missing number from the database
    # when the next one arrives, and clients resume from the database.
    try:
        redis_client().publish(room_channel(dialogue_id), wire)
    except Exception:
        logger.warning("dialogue %s: broadcast not published to Redis", dialogue_id, exc_info=True)
