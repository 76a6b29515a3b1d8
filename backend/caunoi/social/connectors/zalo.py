"""Zalo Official Account: an article on the OA's page, which its followers see in their feed.

Zalo's Article API (developers.zalo.me, "Article API" → "Tạo bài viết"; the shape is the one the official
SDK, github.com/zaloplatform/zalo-java-sdk, CreateNormalArticle, sends):

    POST {SOCIAL_ZALO_API_URL}/v2.0/article/create
    access_token: <OA access token>          (a header, as every OA API takes it)
    Content-Type: application/json
    {"type": "normal", "title": "…", "author": "…", "description": "…",
     "cover": {"cover_type": "photo", "photo_url": "…", "status": "show"},
     "body": [{"type": "text", "content": "…"}], "status": "show", "comment": "show"}

    200 {"error": 0, "message": "Success", "data": {"token": "…"}}
    200 {"error": -216, "message": "Access token is invalid"}

An article is chosen over the broadcast message API because a broadcast can only carry an article that
already exists (it sends an article's attachment id), and reaches followers once, while the article stays
on the OA's page. Creation is asynchronous: the answer holds a `token` that `article/verify` turns into the
article id; the token is what is stored as the post's id. Zalo answers HTTP 200 to most failures, with the
code in `error`: anything but 0 is a failure; -32 (requests over the per-minute limit) is retried, any
other code (an expired token, a missing permission, a field refused) fails the post at once.
"""

from __future__ import annotations

import json

from django.conf import settings

from ..models import SocialChannel
from . import http
from .base import Outgoing, PermanentError, RetryableError

RETRYABLE_CODES = frozenset({-32})
TITLE_MAX_CHARS = 150
AUTHOR_MAX_CHARS = 50
DESCRIPTION_MAX_CHARS = 300


def article_url() -> str:
    return str(settings.SOCIAL_ZALO_API_URL).rstrip("/") + "/v2.0/article/create"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def article(channel: SocialChannel, outgoing: Outgoing) -> dict[str, object]:
    return {
        "type": "normal",
        "title": _cut(outgoing.title, TITLE_MAX_CHARS),
        "author": _cut(outgoing.agency_name, AUTHOR_MAX_CHARS),
        "description": _cut(outgoing.message, DESCRIPTION_MAX_CHARS),
        "cover": {"cover_type": "photo", "photo_url": channel.cover_url, "status": "show"},
        "body": [
            {"type": "text", "content": outgoing.message},
            {"type": "text", "content": outgoing.link},
        ],
        "status": "show",
        "comment": "show",
    }


class ZaloOfficialAccount:
    def post(self, channel: SocialChannel, outgoing: Outgoing) -> str:
        body = json.dumps(article(channel, outgoing), ensure_ascii=False).encode("utf-8")
        answer = http.post(
            article_url(),
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8", "access_token": channel.secret},
        )
        http.refuse_status(answer)
        data = answer.json()
        if not isinstance(data, dict) or "error" not in data:
            raise PermanentError("The Zalo API answered without an error code.", status_code=answer.status)
        code = data["error"]
        if code != 0:
            text = http.scrub(f"Zalo error {code}: {data.get('message', '')}".strip(), channel.secret)
            if code in RETRYABLE_CODES:
                raise RetryableError(text, status_code=answer.status)
            raise PermanentError(text, status_code=answer.status)
        token = (data.get("data") or {}).get("token") if isinstance(data.get("data"), dict) else None
        if not isinstance(token, str) or not token:
            raise PermanentError("The Zalo API answered without an article token.", status_code=answer.status)
        return token
