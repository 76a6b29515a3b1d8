"""Finding English in pages and messages meant to be Vietnamese.

Two nets: the English msgids of our own catalogue (a string from our code that was left untranslated or
rendered outside the page's language), and common English words (English typed straight into code or data,
never marked for translation). Only visible text counts: scripts, styles, templates, attributes and elements
marked as another language (lang="en", e.g. "English" in the language switch) are left out.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "backend/locale/vi/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%\(\w+\)s|\{\w*\}|%[sd]")
# Words that do not occur in Vietnamese text; each is looked up as a whole word, in lower case.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|with|this|that|from|been|will|please|during|should|which|there|their|must|"
    r"cannot|would|these|those|notifications?|password is|is too)\b",
    re.IGNORECASE,
)


def _entries(text: str) -> list[tuple[str, str]]:
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r"(msgid|msgstr|msgid_plural|msgstr\[0\]) \"(.*)\"$", line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line[1:-1])
        if "msgid" in fields:
            msgstr = fields.get("msgstr") or fields.get("msgstr[0]") or [""]
            entries.append(("".join(fields["msgid"]), "".join(msgstr)))
    return entries


@cache
def english_fragments() -> frozenset[str]:
    """Literal runs of three words or more from our msgids whose translation differs from them."""
    fragments = set()
    for msgid, msgstr in _entries(CATALOGUE.read_text(encoding="utf-8")):
        if not msgid or msgid == msgstr:
            continue
        for piece in PLACEHOLDER.split(msgid.replace('\\"', '"').replace("\\n", " ")):
            piece = " ".join(piece.split()).strip(" .,:;—-“”\"'()")
            if len(piece.split()) >= 3:
                fragments.add(piece)
    return frozenset(fragments)


class _VisibleText(HTMLParser):
    SKIPPED = {"script", "style", "template", "svg"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        other_language = lang is not None and not (lang or "").startswith("vi")
        self.skipping.append(tag in self.SKIPPED or other_language or (bool(self.skipping) and self.skipping[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not (self.skipping and self.skipping[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_in(text: str) -> list[str]:
    """What in `text` (visible text or a message) reads as English, with a little context for each."""
    found = [f"untranslated: {fragment!r}" for fragment in english_fragments() if fragment in text]
    for match in ENGLISH_WORDS.finditer(text):
        start, end = max(match.start() - 40, 0), match.end() + 40
        found.append(f"English word {match.group(0)!r} in …{text[start:end]}…")
    return found
