"""The analytics tables as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from .selectors import ItemRow, TermRow

ITEMS_HEADER = ("rank", "item_id", "address", "title", "views")
TERMS_HEADER = ("rank", "words", "words_without_diacritics", "searches", "found_nothing", "spellings")


def _cell(value: Any) -> Any:
    # A text starting like a formula would run as one in a spreadsheet (search words are typed by anyone,
    # though normalisation already strips such characters from their ends).
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


def items_csv(rows: Sequence[ItemRow]) -> str:
    return _csv(ITEMS_HEADER, ((n, r.item_id, r.slug, r.title, r.views) for n, r in enumerate(rows, 1)))


def terms_csv(rows: Sequence[TermRow]) -> str:
    return _csv(
        TERMS_HEADER,
        ((n, r.label, r.folded, r.searches, r.found_nothing, r.spellings) for n, r in enumerate(rows, 1)),
    )
