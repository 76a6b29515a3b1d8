"""The one HTTP call connectors make: a POST with a timeout, no redirects, the answer read but bounded.

Standard library only (as syndication's webhooks): httpx is a development dependency here, not a runtime one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .base import PermanentError, RetryableError

USER_AGENT = "CauNoi-Social/1"
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would drop the POST body or send credentials somewhere unreviewed: the configured address
    # must be the real one. The 3xx comes back as an answer and is refused below.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def timeout() -> float:
    return float(settings.SOCIAL_TIMEOUT)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POSTs `body`; returns the answer whatever its status. Raises RetryableError when no answer came
    (refused, reset, timed out, DNS). The error names the kind of failure, never the URL's query or body."""
    request = urllib.request.Request(  # noqa: S310  (http(s) addresses from settings or an administrator)
        url, data=body, method="POST", headers={"User-Agent": USER_AGENT, **headers}
    )
    try:
        with _opener.open(request, timeout=timeout()) as response:
            return Answer(int(response.status), response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:
        try:
            return Answer(exc.code, exc.read(MAX_ANSWER_BYTES))
        finally:
            exc.close()
    except urllib.error.URLError as exc:
        raise RetryableError(f"{type(exc.reason).__name__}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise RetryableError(f"{type(exc).__name__}: {exc}") from exc


def refuse_status(answer: Answer, detail: str = "") -> None:
    """Raises for a non-2xx answer: 408, 429 and 5xx are retried; any other status (a 4xx, a redirect)
    needs a person to fix something and fails the post at once."""
    if 200 <= answer.status < 300:
        return
    message = f"HTTP {answer.status}" + (f": {detail}" if detail else "")
    if answer.status in (408, 429) or answer.status >= 500:
        raise RetryableError(message, status_code=answer.status)
    raise PermanentError(message, status_code=answer.status)


def scrub(text: str, secret: str) -> str:
    """`text` without the channel's secret, should a platform echo it back in an error."""
    return text.replace(secret, "***") if secret else text
