"""The same hostile input as test_no_server_errors.py, sent as raw bytes to a real uvicorn serving the ASGI
application: what a client on the network can send (raw non-UTF-8 bytes, percent-escapes, NUL, huge and deep
bodies), through the server's own parsing, never gets a 5xx."""

from __future__ import annotations

import signal
import socket

import pytest
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.testing import free_port, start_asgi_server
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def port(reference_data):
    # The server runs the production limits, counted per address in Redis: earlier tests of this worker that
    # logged in or sent cases from 127.0.0.1 must not make these requests a 429 instead of the 400 looked for.
    client = redis_client()
    stale = list(client.scan_iter(match="*127.0.0.1*", count=1000))
    if stale:
        client.delete(*stale)
    port = free_port()
    server = start_asgi_server(port, database_name=connection.settings_dict["NAME"])
    yield port
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=15)
    connection.close_pool()


def _send(port: int, head: bytes, body: bytes = b"") -> int:
    """Sends one HTTP/1.1 request of raw bytes; returns the status code (0 if the server closed silently)."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(head + b"\r\n" + body)
        received = b""
        while b"\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    status_line = received.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 else 0


def _get(target: bytes, *headers: bytes) -> bytes:
    return (
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + b"".join(header + b"\r\n" for header in headers)
    )


def _post(target: bytes, body: bytes, content_type: bytes = b"application/json") -> bytes:
    return (
        b"POST " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: " + content_type
        + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n"
    )  # fmt: skip


TARGETS = [
    b"/track/HD-2026-1%00/",
    b"/co-quan/%00/",
    b"/co-quan/%ff%fe/",
    b"/feeds/agencies/%00/published.atom",
    b"/open311/v2/requests/%00.json",
    b"/open311/v2/requests.json?service_code=%00",
    b"/api/v1/cases/track/%c3%28/",
    b"/api/v1/published/?q=%ff&agency=%00",
    b"/api/v1/cases/99999999999999999999/",
    b"/dialogues/99999999999999999999/",
    b"/hoi-dap/?q=\xff\xfe",
]


def test_hostile_addresses_and_headers_over_a_real_server(port):
    for target in TARGETS:
        status = _send(port, _get(target))
        assert 400 <= status < 500, (target, status)
    for header in (b"Accept-Language: \xff\xfe", b"Cookie: sessionid=abcdefgh\\000ijk", b"X-Access-Token: \xe9"):
        status = _send(port, _get(b"/api/v1/cases/track/HD-2026-1/", header))
        assert 0 < status < 500, (header, status)


def test_hostile_bodies_over_a_real_server(port):
    deep = b"[" * 100_000 + b"]" * 100_000
    for target in (b"/api/v1/cases/", b"/api/v1/auth/token/", b"/open311/v2/requests.json"):
        assert _send(port, _post(target, deep), deep) == 400, target
        assert _send(port, _post(target, b'{"a": "\xff"}'), b'{"a": "\xff"}') == 400, target
    big = b'{"title": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    assert _send(port, _post(b"/api/v1/cases/", big), big) == 413
    form = b"title=%00&body=\xff\xfe&category=%00"
    assert 0 < _send(port, _post(b"/submit/", form, b"application/x-www-form-urlencoded"), form) < 500


CONTENT_TYPES = [
    b"application/x-www-form-urlencoded; charset=no-such-charset",
    b"application/json; charset=no-such-charset",
    b"multipart/form-data; charset=no-such-charset; boundary=xyz",
    b"multipart/form-data",
    b"application/json; charset=utf-16",
]


def test_unknown_charsets_and_broken_multipart_over_a_real_server(port):
    body = b'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\n\xff\x00\r\n--xyz--\r\n'
    for content_type in CONTENT_TYPES:
        for target in (b"/api/v1/cases/", b"/open311/v2/requests.json", b"/api/v1/auth/token/", b"/submit/"):
            status = _send(port, _post(target, body, content_type), body)
            assert 400 <= status < 500, (target, content_type, status)
