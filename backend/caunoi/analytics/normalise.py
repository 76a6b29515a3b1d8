"""What a search is counted as, and which requests are not counted at all. Pure functions.

A query is kept with its diacritics ("đất đai" and "dat dai" are stored apart, because they are what people
typed) and also folded (`vn_fold`), because search matches both spellings alike: the pages group terms by
their folded form, so the leaders see one row per question people have, labelled with its most common
spelling.
"""

from __future__ import annotations

import re
import unicodedata

from caunoi.core.text import vn_fold

MAX_TERM_LENGTH = 200  # the search box's own limit; a longer text is pasted, not typed
_SPACE = re.compile(r"\s+")

# Crawlers, link previews, monitors and command-line clients announce themselves in their User-Agent.
# This catches the honest ones (most automated traffic); a bot posing as a browser is counted, which is why
# the pages show terms and answers ranked, not exact audience sizes. A request without a User-Agent is not
# a browser either. The User-Agent is read here and never stored.
_BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|uptime|pingdom|"
    r"headless|lighthouse|python-|curl/|wget/|go-http-client|java/|okhttp|httpclient|libwww|scrapy|axios/",
    re.IGNORECASE,
)


def normalise_query(text: str) -> str:
    """The query as counted: NFC, lower case, whitespace collapsed, punctuation and symbols stripped from
    both ends, at most MAX_TERM_LENGTH characters. Empty when nothing is left."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()
    start, end = 0, len(text)
    while start < end and _is_edge_noise(text[start]) and not _closed_later(text[start:end]):
        start += 1
    while end > start and _is_edge_noise(text[end - 1]) and not _opened_before(text[start:end]):
        end -= 1
    return text[start:end][:MAX_TERM_LENGTH].rstrip()


_PAIRS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {closer: opener for opener, closer in _PAIRS.items()}


def _closed_later(text: str) -> bool:
    """A bracket opened at the start and closed further on is part of the words: "(2024) sổ đỏ"."""
    closer = _PAIRS.get(text[0])
    return closer is not None and closer in text[1:]


def _opened_before(text: str) -> bool:
    """A bracket closed at the end and opened before is part of the words: "sổ đỏ (2024)"."""
    opener = _CLOSERS.get(text[-1])
    return opener is not None and opener in text[:-1]


def fold_term(term: str) -> str:
    """The grouping key of a normalised term: without diacritics."""
    return vn_fold(term)


def _is_edge_noise(char: str) -> bool:
    # P*: punctuation (quotes, ?, !, ., …), S*: symbols (+, =, emoji), Z*: spaces of any kind.
    return unicodedata.category(char)[0] in {"P", "S", "Z"}


def is_bot(user_agent: str) -> bool:
    """True for requests not made by a person's browser (by the markers above)."""
    return not user_agent.strip() or _BOT.search(user_agent) is not None
