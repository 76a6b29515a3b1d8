"""Helpers for the syndication tests: published items, and real HTTP servers on loopback (no mocks of the
network: the code under test opens real sockets)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from caunoi.agencies.models import Agency, Category
from caunoi.publication.models import PublishedItem, Status
from django.utils import timezone

_numbers = itertools.count(1)


def make_item(
    *,
    agency: str | None = "SO-NNMT-HN",
    category: str | None = "dat-dai",
    kind: str = "question",
    title: str = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    question: str = "Gia đình tôi sử dụng đất ổn định từ năm 1990, xin hỏi thủ tục cấp sổ đỏ lần đầu?",
    answer: str = "Theo Luật Đất đai 2024, hộ gia đình nộp hồ sơ tại bộ phận một cửa cấp xã.",
    status: str = Status.PUBLISHED,
    published_at: dt.datetime | None = None,
    **fields,
) -> PublishedItem:
    """A published item of this portal, written through the model (as publication's services would)."""
    number = next(_numbers)
    now = timezone.now()
    return PublishedItem.objects.create(
        slug=fields.pop("slug", f"hoi-dap-{number}"),
        kind=kind,
        agency=Agency.objects.get(code=agency) if agency else None,
        category=Category.objects.get(slug=category) if category else None,
        title=title,
        question=question,
        answer=answer,
        asker_display=fields.pop("asker_display", "Ông T."),
        received_at=fields.pop("received_at", now - dt.timedelta(days=10)),
        answered_at=fields.pop("answered_at", now - dt.timedelta(days=2)),
        due_at=fields.pop("due_at", now + dt.timedelta(days=5)),
        published_at=published_at or now,
        status=status,
        **fields,
    )


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: bytes

    def header(self, name: str) -> str:
        return self.headers[name.lower()]


@dataclass
class Receiver:
    """A partner's webhook endpoint on loopback. `answers` are played in order (then 200 for ever): an int
    is a status code, "hang" sleeps past the client's timeout before answering."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)


@contextmanager
def webhook_receiver(answers: list[int | str] | None = None, *, hang_seconds: float = 2.0) -> Iterator[Receiver]:
    receiver = Receiver(url="", answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            answer = receiver.answers.pop(0) if receiver.answers else 200
            if answer == "hang":
                time.sleep(hang_seconds)
                answer = 200
            try:
                self.send_response(int(answer))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    with _serving(Handler) as base:
        receiver.url = f"{base}/hooks/caunoi"
        yield receiver


@contextmanager
def static_site(pages: dict[str, tuple[str, Callable[[], bytes]]]) -> Iterator[str]:
    """Serves GET path (with query) → (content type, body) on loopback; yields the base URL. Bodies are
    produced on each request, so a test can change what the "other portal" publishes between imports."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(self.path)
            if page is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content_type, body = page[0], page[1]()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with _serving(Handler) as base:
        yield base


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
