"""The API's JSON parser: DRF's, decoding through caunoi.core.safejson (a depth limit, no NUL characters)."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from . import safejson


class BodyRefused(ParseError):
    """The body was read but is refused; its detail says why (not the generic "not valid JSON")."""


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(stream.read(), encoding) if stream is not None else ""
        except (UnicodeDecodeError, LookupError):
            raise BodyRefused(_("The request body is not valid UTF-8.")) from None
        try:
            return safejson.loads(text)
        except safejson.UnsafeJSON as exc:
            raise BodyRefused(exc.message) from None
        except ValueError:
            raise ParseError from None
