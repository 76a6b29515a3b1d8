"""Hypothesis over every entry point: any path of the URL configuration with hostile values in its
parameters (NUL, invalid UTF-8 percent-escapes, ids beyond bigint), hostile query strings, headers and
cookies, and bodies (random JSON, JSON nested thousands deep, invalid UTF-8, form data), anonymous and
signed in; and frames on the dialogue websocket. Fails on any 5xx, and on a websocket that closes (or goes
silent) instead of answering an error frame. Fixed seed (derandomized), bounded examples: well under a minute.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote_from_bytes

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from caunoi.dialogues.hub import hub_shutdown
from caunoi.dialogues.testing import cookie_header, make_dialogue, room_communicator
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db(transaction=True)

HTTP_EXAMPLES = 700
WS_EXAMPLES = 40
FUZZ_SETTINGS = {"deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}


def _routes(patterns=None, prefix: str = "") -> list[str]:
    """Every path template of the URL configuration ("track/<str:tracking_code>/"), regex routes left out."""
    found: list[str] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.append(route)
    return sorted(set(found))


ROUTES = _routes()
# The admin's 140-odd pages would take most examples; they get one in ten.
ADMIN_ROUTES = [route for route in ROUTES if route.startswith("admin/")]
OTHER_ROUTES = [route for route in ROUTES if not route.startswith("admin/")]
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")

HOSTILE = [b"\x00", b"a\x00b", b"HD-2026-1\x00", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"%00", b"..", b"9" * 25]
hostile_bytes = st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=12), st.text(max_size=12).map(str.encode))
hostile_ids = st.one_of(
    st.sampled_from([b"0", b"1", b"9223372036854775807", b"9223372036854775808", b"9" * 30]),
    st.integers(min_value=0, max_value=10**30).map(lambda n: str(n).encode()),
)


def _quote(value: bytes) -> str:
    return quote_from_bytes(value, safe="")


@st.composite
def paths(draw) -> str:
    route = draw(st.sampled_from(ADMIN_ROUTES)) if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(OTHER_ROUTES))

    def fill(match: re.Match[str]) -> str:
        kind = match.group(1) or "str"
        # A value its converter accepts, or any bytes (the path then mostly misses and must 404, not 500).
        if kind == "int":
            value = draw(st.one_of(hostile_ids, hostile_bytes)) if draw(st.booleans()) else draw(hostile_ids)
        else:
            value = draw(hostile_bytes) or b"x"
        return _quote(value)

    return "/" + CONVERTER.sub(fill, route)


query_strings = st.lists(st.tuples(hostile_bytes, hostile_bytes), max_size=4).map(
    lambda pairs: "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs)
)
# Header values as the WSGI server hands them over: latin-1 text.
header_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.none(),
    json_values.map(lambda v: ("application/json", json.dumps(v).encode())),
    st.sampled_from([33, 999, 1500, 100_000]).map(lambda n: ("application/json", b"[" * n + b"]" * n)),
    st.sampled_from(['{"title": "a\\u0000b"}', '{"\\u0000": 1}', "[NaN]", '"\\ud800"']).map(
        lambda text: ("application/json", text.encode())
    ),
    st.binary(max_size=64).map(lambda b: ("application/json", b)),
    st.lists(st.tuples(hostile_bytes, hostile_bytes), max_size=4).map(
        lambda pairs: (
            "application/x-www-form-urlencoded",
            "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs).encode(),
        )
    ),
)


@st.composite
def requests(draw) -> dict:
    path = draw(paths())
    query = draw(query_strings)
    return {
        "method": draw(st.sampled_from(["GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"])),
        "path": f"{path}?{query}" if query else path,
        "body": draw(bodies),
        "signed_in": draw(st.booleans()),
        "headers": draw(
            st.dictionaries(
                # Not Accept: a random one gets 406 before any view runs, hiding what the view would do.
                st.sampled_from(["HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE", "HTTP_X_ACCESS_TOKEN", "HTTP_IDEMPOTENCY_KEY"]),
                header_text,
                max_size=3,
            )
        ),
    }


@pytest.fixture
def clients(reference_data, personas) -> dict[bool, Client]:
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(personas["official_a"])
    return {False: Client(raise_request_exception=False), True: signed_in}


def test_no_request_answers_a_server_error(clients):
    assert len(ROUTES) > 40  # the whole URL configuration, not a hand-picked list

    @settings(max_examples=HTTP_EXAMPLES, **FUZZ_SETTINGS)
    @given(request=requests())
    def check(request: dict) -> None:
        client = clients[request["signed_in"]]
        content_type, data = request["body"] or ("application/octet-stream", b"")
        response = client.generic(
            request["method"], request["path"], data=data, content_type=content_type, **request["headers"]
        )
        assert response.status_code < 500, (request, response.status_code, response.content[:500])

    check()


frames = st.one_of(
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {"action": st.sampled_from(["ask", "vote", "approve", "reject", "merge", "reorder", "pick", "answer", "x"])},
        optional={
            "ref": json_values,
            "question": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), json_values),
            "into": st.integers(min_value=-(2**70), max_value=2**70),
            "ids": st.lists(st.integers(min_value=-(2**70), max_value=2**70), max_size=4),
            "name": json_values,
            "text": st.one_of(st.text(max_size=60), json_values),
            "email": st.text(max_size=30),
        },
    ).map(json.dumps),
    st.sampled_from([33, 999, 1500, 3900]).map(lambda n: '{"action": "ask", "name": ' + "[" * n + "]" * n + "}"),
    st.sampled_from(
        ['{"action": "ask", "name": "a\\u0000", "text": "Câu hỏi có NUL?"}', '{"action": "vote", "question": NaN}']
    ),
    st.text(min_size=1, max_size=80),
)


def test_the_dialogue_websocket_answers_every_frame_and_stays_open(reference_data, personas):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )

    async def exchange(sent: list[str], user, raw_cookies: str | None) -> None:
        if raw_cookies is None:
            cookies = await sync_to_async(cookie_header)(user, "fuzz-voter-0001")
        else:
            cookies = raw_cookies
        communicator = room_communicator(dialogue.pk, cookies=cookies)
        try:
            connected, _ = await communicator.connect()
            assert connected
            assert json.loads(await communicator.receive_from())["type"] == "hello"
            for frame in sent:
                await communicator.send_to(text_data=frame)
                # Broadcasts may arrive first; the reply is the next ok/error frame. A close instead fails here.
                while True:
                    message = await communicator.receive_output(timeout=5)
                    assert message["type"] == "websocket.send", (frame[:200], message)
                    reply = json.loads(message["text"])
                    if reply.get("type") in {"ok", "error"}:
                        # "failed" is the consumer's last resort for an unexpected exception: a bug to fix.
                        assert reply.get("code") != "failed", frame[:200]
                        break
            await communicator.disconnect()
        finally:
            await hub_shutdown()
            await sync_to_async(connection.close_pool)()

    @settings(max_examples=WS_EXAMPLES, **FUZZ_SETTINGS)
    @given(
        sent=st.lists(frames, min_size=1, max_size=6),
        who=st.sampled_from(["anonymous", "moderator", "leader", "hostile cookies"]),
        raw_cookies=st.one_of(
            st.sampled_from(['sessionid="abcdefgh\\000ijk"', 'caunoi_voter="a\\000"; django_language="\\377"']),
            header_text.map(lambda text: f"sessionid={text}; caunoi_voter={text}"),
        ),
    )
    def check(sent: list[str], who: str, raw_cookies: str) -> None:
        user = personas[who] if who in {"moderator", "leader"} else None
        async_to_sync(exchange)(sent, user, raw_cookies if who == "hostile cookies" else None)

    check()
