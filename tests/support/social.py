"""A platform's API on loopback for the social connector tests: a real HTTP server (the code under test
opens real sockets), recording every request and playing programmed answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: bytes

    def header(self, name: str) -> str:
        return self.headers[name.lower()]

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body, each field once (a repeated field fails the test)."""
        fields = parse_qs(self.body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        assert all(len(values) == 1 for values in fields.values()), fields
        return {name: values[0] for name, values in fields.items()}

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Platform:
    """`answers` are played in order, then `default` for ever: (status, JSON body)."""

    base_url: str
    default: tuple[int, Any]
    answers: list[tuple[int, Any]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


@contextmanager
def platform_api(default: tuple[int, Any], answers: list[tuple[int, Any]] | None = None) -> Iterator[Platform]:
    platform = Platform(base_url="", default=default, answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            platform.requests.append(Request("POST", self.path, headers, body))
            status, payload = platform.answers.pop(0) if platform.answers else platform.default
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    platform.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


PAGE_TOKEN = "EAAG-page-access-token-0123456789"
OA_TOKEN = "zalo-oa-access-token-0123456789"
WEBHOOK_SECRET = "webhook-shared-secret-0123456789"


def make_channel(platform: str, *, agency: str = "SO-NNMT-HN", **fields: Any):
    """A switched-on channel with working credentials for `platform`, written through the model."""
    from caunoi.agencies.models import Agency
    from caunoi.social.models import SocialChannel

    credentials = {
        "facebook": {"page_id": "104729384756", "secret": PAGE_TOKEN},
        "zalo": {"cover_url": "https://caunoi.example.gov.vn/static/oa-cover.jpg", "secret": OA_TOKEN},
        "webhook": {"url": "http://127.0.0.1:9/hooks", "secret": WEBHOOK_SECRET},
    }[platform]
    return SocialChannel.objects.create(
        name=fields.pop("name", f"{agency} {platform}"),
        agency=Agency.objects.get(code=agency),
        platform=platform,
        **{**credentials, **fields},
    )
