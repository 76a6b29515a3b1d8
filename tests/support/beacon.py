"""What a browser does with a public page for analytics: loads it, then the beacon image it carries."""

from __future__ import annotations

import html
import re
from typing import Any

BEACON = re.compile(r'<img class="beacon" src="([^"]+)"')


def beacon_of(response: Any) -> str | None:
    found = BEACON.search(response.content.decode(errors="replace")) if response.content else None
    return html.unescape(found.group(1)) if found else None


def load_like_a_browser(client: Any, path: str, params: Any = None, method: str = "get", **headers: Any) -> Any:
    """The page's response, after loading its beacon (when it has one) with the same headers."""
    response = getattr(client, method)(path, params or {}, **headers)
    beacon = beacon_of(response)
    if beacon is not None:
        assert client.get(beacon, **headers).status_code == 200
    return response
