"""The live room's protocol, independent of the socket.

Client → server: {"action": <name>, "ref": <optional echo>, ...fields}
  ask {name, text, email?, phone?, show_name?} · vote {question}                         everyone
  approve {question} · reject {question} · merge {question, into} · reorder {ids}  moderators
  pick {question} · answer {question, text} · mark_answered {question}        hosts
Server → client:
  {"type": "hello", "data": {"roles": [...], "last_seq": N}} first, then the missed numbered frames;
  numbered frames {"seq": N, "type": ..., "data": {...}}: question, votes, question_removed, question_merged,
    order, now_answering, answer, answered {id, now_answering}, state {state}, schedule {starts_at, ends_at,
    when, stream_url} (everyone); question_submitted, question_rejected (staff). Every change of the dialogue
    is one of them, so a page that applies them in order is current without reloading;
  {"type": "viewers", "data": {"count": N}} unnumbered;
  {"type": "ok", "action": ..., "ref": ...} or {"type": "error", "code": ..., "message": ..., "errors"?: ...}
    in reply to an action. An error never closes the connection.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from caunoi.abuse.blocklist import blocked
from caunoi.abuse.middleware import BLOCKED
from caunoi.accounts import two_factor
from caunoi.accounts.models import User
from caunoi.core.errors import ApplicationError, NotFound
from caunoi.core.policy import normalise_email, normalise_phone

from . import services
from .access import (
    ACTION_ROLES,
    VIEWER,
    ActionNotAllowed,
    UnknownAction,
    access_dialogue,
    access_room_action,
    is_staff_of,
    room_roles,
)
from .api.serializers import AnswerInput, MergeInput, QuestionInput, QuestionRef, ReorderInput
from .devices import device_of
from .ratelimit import action_allowed

MAX_FRAME_BYTES = 8 * 1024
# The viewer page sets this cookie (a device id the server signed): it lets an anonymous person vote once per
# question.
VOTER_COOKIE = "caunoi_voter"


@dataclass(frozen=True)
class RoomEntry:
    dialogue_id: int
    user: User | None
    roles: frozenset[str]
    staff: bool
    person: str | None  # "u:<id>" or "d:<signed device id>": whose votes and rate limits
    language: str
    address: str = ""  # the client's address (anonymous participants are capped per address)
    connection: str = field(default_factory=lambda: secrets.token_hex(8))  # the bucket of one without a device


def scope_cookies(scope: dict[str, Any]) -> dict[str, str]:
    """The handshake's cookies. One carrying a NUL character (a quoted cookie may spell it "\\000") counts as
    absent: PostgreSQL cannot look it up or store it (HTTP requests are refused by core.request_guard)."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies = parse_cookie(value.decode("latin-1"))
            return {key: text for key, text in cookies.items() if "\x00" not in key and "\x00" not in text}
    return {}


def session_user(cookies: dict[str, str]) -> User | None:
    """The signed-in user of the session cookie, read once when the socket opens. The room's route is served
    without Channels' session and auth middleware: their wrapper would sit on every frame sent to every viewer
    and their objects on every idle connection, for what is needed once. The pages' rule holds here too: a
    role that must use two-factor login counts as signed in only once the session is verified by a code."""
    key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    if not isinstance(user, User) or not user.is_active:
        return None
    if two_factor.required_for(user) and not _verified_by_code(session, user):
        return None
    return user


def _verified_by_code(session: Any, user: User) -> bool:
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(OTPMiddleware._normalize_persistent_id(persistent_id))
    return device is not None and device.user_id == user.pk


def room_entry(scope: dict[str, Any], dialogue_id: int) -> RoomEntry | None:
    """Who is connecting to which room, or None when the dialogue does not exist."""
    try:
        dialogue = access_dialogue(dialogue_id)
    except NotFound:
        return None
    cookies = scope_cookies(scope)
    user = session_user(cookies)
    roles = room_roles(user, dialogue) if user is not None else room_roles(AnonymousUser(), dialogue)
    language = cookies.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    person = person_of(user, cookies.get(VOTER_COOKIE, ""))
    return RoomEntry(dialogue_id, user, roles, is_staff_of(roles), person, language, scope_address(scope))


def person_of(user: User | None, device_cookie: str) -> str | None:
    """Whose votes and limits: the account, else the device id the server signed, else nobody (None)."""
    if user is not None:
        return f"u:{user.pk}"
    device = device_of(device_cookie)
    return f"d:{device}" if device else None


def scope_address(scope: dict[str, Any]) -> str:
    """The client's address, as core.ratelimit.client_address reads it for pages: the socket's peer, or
    behind TRUSTED_PROXY_COUNT proxies the address the outermost trusted proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        header = next((v.decode("latin-1") for n, v in scope.get("headers", []) if n == b"x-forwarded-for"), "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    client = scope.get("client")
    return str(client[0]) if client else ""


def error_frame(code: str, ref: Any, message: str = "", errors: dict[str, Any] | None = None) -> str:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message or _default_message(code)}
    if errors:
        frame["errors"] = errors
    if ref is not None and isinstance(ref, str | int):
        frame["ref"] = ref
    return json.dumps(frame, ensure_ascii=False)


def _default_message(code: str) -> str:
    return {
        "bad_frame": _("The message could not be read: send one JSON object of at most 8 KB with an action."),
        "rate_limited": _("Too many requests. Please wait a moment."),
        "failed": _("Something went wrong on our side. Please try again."),
    }.get(code, _("The request was refused."))


_INPUTS = {
    "ask": QuestionInput,
    "vote": QuestionRef,
    "approve": QuestionRef,
    "reject": QuestionRef,
    "merge": MergeInput,
    "reorder": ReorderInput,
    "pick": QuestionRef,
    "answer": AnswerInput,
    "mark_answered": QuestionRef,
}


def run_action(entry: RoomEntry, action: str, request: dict[str, Any]) -> dict[str, Any]:
    """Checks the role, validates the fields, applies the per-person limit and calls the service. Returns the
    reply frame: {"type": "ok", ...} or {"type": "error", ...}; never raises for bad input or refusals."""
    with translation.override(entry.language):
        try:
            access_room_action(roles_now(entry, action), action)
            serializer = _INPUTS[action](data=request)
            if not serializer.is_valid():
                return json.loads(error_frame("invalid", None, _("Some fields are not valid."), serializer.errors))
            if action == "ask" and _blocked(entry, serializer.validated_data):
                return json.loads(error_frame("blocked", None, str(BLOCKED)))
            if action == "vote" and entry.person is None:
                return json.loads(error_frame("no_voter", None, _("Reload the page to vote.")))
            if action in {"ask", "vote"} and not action_allowed(
                action=action,
                dialogue_id=entry.dialogue_id,
                person=entry.person or f"c:{entry.connection}",
                address=None if entry.user is not None else entry.address,
                question=serializer.validated_data.get("question"),
            ):
                return json.loads(error_frame("rate_limited", None))
            result = _call(entry, action, serializer.validated_data)
        except ApplicationError as exc:
            return json.loads(error_frame(_error_code(exc), None, str(exc.message), exc.extra))
    return {"type": "ok", "action": action, **result}


def roles_now(entry: RoomEntry, action: str) -> frozenset[str]:
    """The roles of the connection's person as they are now, not as they were when the socket opened: a
    moderator removed from the dialogue, or an account switched off, loses its powers on its next action.
    Anonymous connections have nothing to lose (no lookup). An action every viewer may take (ask, vote) only
    checks that the account is still active; the others read the roles again."""
    if entry.user is None:
        return entry.roles
    user = User.objects.filter(pk=entry.user.pk, is_active=True).first()
    if user is None:
        return frozenset()  # not even a viewer's actions: the account may no longer act
    if ACTION_ROLES.get(action) == VIEWER:
        return entry.roles | {VIEWER}
    return room_roles(user, access_dialogue(entry.dialogue_id))


def _blocked(entry: RoomEntry, data: dict[str, Any]) -> bool:
    """The asker's address, e-mail domain or phone is on the block list (caunoi.abuse)."""
    return blocked(
        address=entry.address, email=normalise_email(data.get("email")), phone=normalise_phone(data.get("phone"))
    )


def _error_code(exc: ApplicationError) -> str:
    if isinstance(exc, UnknownAction):
        return "unknown_action"
    if isinstance(exc, ActionNotAllowed):
        return "forbidden"
    return {404: "not_found", 409: "conflict", 429: "rate_limited"}.get(exc.status_code, "refused")


def _call(entry: RoomEntry, action: str, data: dict[str, Any]) -> dict[str, Any]:
    dialogue_id, user = entry.dialogue_id, entry.user
    if action == "ask":
        question = services.question_ask(
            dialogue=access_dialogue(dialogue_id),
            asker_name=data["name"],
            text=data["text"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            user=user,
            show_name=data.get("show_name", False),
        )
        return {"question": question.pk}
    if action == "vote":
        return {
            "votes": services.question_vote(
                dialogue_id=dialogue_id, question_id=data["question"], voter=entry.person or ""
            )
        }
    assert user is not None  # every other action needs a moderator or host, who are signed in
    if action == "reorder":
        return {"ids": services.questions_reorder(dialogue_id=dialogue_id, order=data["ids"], by=user)}
    if action == "merge":
        services.question_merge(dialogue_id=dialogue_id, question_id=data["question"], into_id=data["into"], by=user)
        return {}
    if action == "answer":
        answer = services.answer_publish(
            dialogue_id=dialogue_id, question_id=data["question"], text=data["text"], by=user
        )
        return {"answer": answer.pk}
    single = {
        "approve": services.question_approve,
        "reject": services.question_reject,
        "pick": services.question_pick,
        "mark_answered": services.question_mark_answered,
    }[action]
    single(dialogue_id=dialogue_id, question_id=data["question"], by=user)
    return {}
