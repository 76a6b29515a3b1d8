"""Facebook page posts through the Graph API.

    POST {SOCIAL_FACEBOOK_GRAPH_URL}/{SOCIAL_FACEBOOK_GRAPH_VERSION}/{page-id}/feed
    Content-Type: application/x-www-form-urlencoded
    message=…&link=…&access_token=<page access token>

    200 {"id": "<page-id>_<post-id>"}
    4xx {"error": {"message": "…", "type": "OAuthException", "code": 190, "fbtrace_id": "…"}}

The token goes in the form body, not the query string, so it is not written to access logs on the way.
Graph API error codes 1 and 2 (temporary) and 4, 17, 32, 613 (rate limits) are retried, whatever the HTTP
status; any other error (190: the token expired or was revoked; 200: permission missing; 100: a bad page id)
needs an administrator and fails the post at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings

from ..models import SocialChannel
from . import http
from .base import Outgoing, PermanentError, RetryableError

RETRYABLE_CODES = frozenset({1, 2, 4, 17, 32, 613})


def feed_url(page_id: str) -> str:
    base = str(settings.SOCIAL_FACEBOOK_GRAPH_URL).rstrip("/")
    return f"{base}/{settings.SOCIAL_FACEBOOK_GRAPH_VERSION}/{quote(page_id, safe='')}/feed"


class FacebookPage:
    def post(self, channel: SocialChannel, outgoing: Outgoing) -> str:
        body = urlencode({"message": outgoing.message, "link": outgoing.link, "access_token": channel.secret})
        answer = http.post(
            feed_url(channel.page_id),
            body=body.encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        data = answer.json()
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            _raise_graph_error(error, status=answer.status, secret=channel.secret)
        http.refuse_status(answer)
        post_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(post_id, str) or not post_id:
            raise PermanentError("The Graph API answered without a post id.", status_code=answer.status)
        return post_id


def _raise_graph_error(error: dict[str, Any], *, status: int, secret: str) -> None:
    code = error.get("code")
    text = http.scrub(f"Graph API error {code}: {error.get('message', '')}".strip(), secret)
    if code in RETRYABLE_CODES or status >= 500 or status == 429:
        raise RetryableError(text, status_code=status)
    raise PermanentError(text, status_code=status)
