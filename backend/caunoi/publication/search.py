"""Searching published items in Vietnamese, with or without diacritics (ARCHITECTURE.md §4).

The stored `search_vector` holds every word twice: accented (weight A) and through `vn_unaccent` (weight B).
A query is run as `websearch_to_tsquery` on both its forms, OR-ed, so "dat dai" finds "đất đai" and, for
"đất đai", items written with exactly those diacritics score higher. Ranking reads each match's vector,
so only CANDIDATES matches are ranked, the newest first when there are more: a query of common syllables
(của, và) stays fast. The newest are found through the bucket lexeme every vector holds (publication/models.py).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connections, transaction
from django.utils.safestring import SafeString, mark_safe

from caunoi.agencies.models import Agency, Category
from caunoi.core import hooks
from caunoi.core.replica import read_alias
from caunoi.core.text import normalize, vn_fold

from .models import SEARCH_BUCKET_BITS, SEARCH_BUCKET_MARK, PublishedItem, Status

# How many matches are ranked. Ranking reads each match's stored vector (about 2 KB, TOASTed), so this bounds
# the cost of queries made of common syllables. Measured at 1M items (tests/bench/search_bench.py): 1,000
# candidates answer 3-4× faster than 2,000 on a cold cache; the page shows "more than 1,000" beyond it.
CANDIDATES = 1000
MAX_QUERY_LENGTH = 200
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r"([^\W_]+)")
_QUERY_PART = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_SNIPPET_TOKEN = re.compile(r"\S*\[[^\]\s][^\]]*\]\S*|\S+")
_EXCLUSION = re.compile(r"(?:^|\s)-")  # websearch_to_tsquery's "not": a minus starting a word or phrase


@dataclass(frozen=True)
class SearchFilters:
    agency: Agency | None = None  # the agency and every agency below it
    category: Category | None = None
    kind: str = ""
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    # The current site's agency subtree (portals.PortalSite.agency_path): "" for the whole country.
    within_path: str = ""


@dataclass
class SearchResult:
    items: list[PublishedItem]
    total: int
    total_is_capped: bool  # more matches exist than were ranked (total == CANDIDATES)
    suggestion: str = ""  # "did you mean", when nothing was found
    terms: list[str] = field(default_factory=list)


def clean_query(q: str) -> str:
    """The query as searched: NFC, single spaces. Callers reject queries longer than MAX_QUERY_LENGTH."""
    return " ".join(normalize(q).split())


def query_terms(q: str) -> list[str]:
    """Folded words the query looks for (excluded `-words` and `-"phrases"` and the OR keyword left out),
    for highlighting."""
    terms = []
    for match in _QUERY_PART.finditer(q):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        text = phrase if phrase is not None else word
        if negated or text.lower() == "or":
            continue
        terms += [vn_fold(w) for w in _WORD.findall(text)]
    return terms


def published_search(*, q: str, filters: SearchFilters, offset: int = 0, limit: int = 20) -> SearchResult:
    """Published items matching `q` and `filters`, best first (latest first without a query).

    A query with no letters or digits finds nothing; an empty one lists everything that passes the
    filters. `total` counts at most CANDIDATES matches."""
    q = clean_query(q)
    where, params = _filter_sql(filters)
    if not q:
        return _latest(where, params, offset, limit)
    if not _WORD.search(q):
        return SearchResult([], 0, False)
    match, match_params = _match_sql(q)
    hybrid = hooks.semantic_item_ranks.registered and offset + limit <= HYBRID_DEPTH and not _EXCLUSION.search(q)
    page_offset, page_limit = (0, HYBRID_DEPTH) if hybrid else (offset, limit)
    alias = read_alias()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # Planner trap (ARCHITECTURE.md §4): with LIMIT and a rare word, PostgreSQL may guess a seq scan finds
        # the candidates soon and read the whole table. The GIN index is always the right way in here.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SELECT max(id) FROM publication_publisheditem")
        newest = (cursor.fetchone()[0] or 0) >> SEARCH_BUCKET_BITS
        for buckets in _widening(newest):
            # The buckets go into the same tsquery as the words, so GIN finds both in one pass over its lists.
            scoped = f"({match} && %s::tsquery)" if buckets else match
            scoped_params = [*match_params, _bucket_tsquery(buckets)] if buckets else match_params
            rows, total = _ranked_candidates(cursor, q, scoped, scoped_params, where, params, page_offset, page_limit)
            if total >= CANDIDATES:
                break
        # Inside a caller's transaction SET LOCAL would outlive this block (an error rolls it back anyway).
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
    ranks = {row[0]: row[1] for row in rows}
    if hybrid:
        ids, total = _fused_page(q, [row[0] for row in rows], total, where, params, offset, limit, filters.within_path)
        items = _in_order(ids)
    else:
        items = _in_order([row[0] for row in rows])
    terms = query_terms(q)
    for item in items:
        text = item.answer if _has_term(item.answer, terms) else item.question
        item.rank = ranks.get(item.pk, 0.0)  # type: ignore[attr-defined]
        item.snippet = snippet(text, terms)  # type: ignore[attr-defined]
        item.title_marked = highlight(item.title, terms)  # type: ignore[attr-defined]
    suggestion = did_you_mean(q) if total == 0 else ""
    return SearchResult(items, total, total >= CANDIDATES, suggestion, terms)


# Hybrid search (ARCHITECTURE.md "Understanding text"): the first HYBRID_DEPTH lexical matches are fused by
# reciprocal rank with the items nearest the query in meaning, from the app that understands text (through
# core.hooks: this app sits below it). Pages beyond that depth are the lexical ranking alone. Items holding
# the query's exact words, in order and diacritics ignored, still come first.
HYBRID_DEPTH = 100
RRF_K = 60


def _fused_page(
    q: str,
    lexical: list[int],
    total: int,
    where: str,
    params: list[Any],
    offset: int,
    limit: int,
    within_path: str,
) -> tuple[list[int], int]:
    """One page of ids from the lexical ranking fused with the semantic one, and the new total."""
    semantic = hooks.semantic_item_ranks.call(q=q, within_path=within_path)
    if semantic:
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(
                f"SELECT i.id FROM publication_publisheditem i WHERE i.id = ANY(%s) AND {where}",  # noqa: S608
                [semantic, *params],
            )
            allowed = {row[0] for row in cursor.fetchall()}
        semantic = [i for i in semantic if i in allowed]
    scores: dict[int, float] = {}
    for ranking in (lexical, semantic):
        for rank, item_id in enumerate(ranking, start=1):
            scores[item_id] = scores.get(item_id, 0.0) + 1.0 / (RRF_K + rank)
    first_seen = {item_id: n for n, item_id in enumerate(scores)}
    fused = sorted(scores, key=lambda i: (-scores[i], first_seen[i]))
    exact = _with_exact_phrase(q, fused)
    fused = [i for i in fused if i in exact] + [i for i in fused if i not in exact]
    extra = len(set(semantic) - set(lexical))
    return fused[offset : offset + limit], min(CANDIDATES, total + extra)


def _with_exact_phrase(q: str, ids: list[int]) -> set[int]:
    """Those of `ids` whose public texts hold the query's words as typed in a row (diacritics ignored)."""
    phrase = " ".join(vn_fold(w) for w in _WORD.findall(q.replace('"', " ")))
    if not ids or not phrase:
        return set()
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(
            "SELECT i.id FROM publication_publisheditem i WHERE i.id = ANY(%s) AND "
            "position(%s in regexp_replace(vn_unaccent(lower(i.title || ' ' || i.question || ' ' || i.answer)), "
            "'[^[:alnum:]]+', ' ', 'g')) > 0",
            [ids, phrase],
        )
        return {row[0] for row in cursor.fetchall()}


# How many of the newest search buckets each attempt looks at before the whole table (None). A query of
# common words finds its CANDIDATES among the newest two buckets (16,384 items) in milliseconds, where
# intersecting its words' posting lists over a million items took 50-100 ms; a rarer query pays for a look
# at a few thousand items more before the full search.
WIDENING = (2, 16)


def _widening(newest: int) -> list[list[int] | None]:
    """The bucket lists to try in turn, newest first, ending with None (every item)."""
    spans = [span for span in WIDENING if span <= newest]  # a span reaching bucket 0 is the whole table
    return [list(range(newest, newest - span, -1)) for span in spans] + [None]


def _bucket_tsquery(buckets: list[int]) -> str:
    """'§122' | '§121': the lexemes search_vector holds for these buckets (publication/models.py)."""
    return " | ".join(f"'{SEARCH_BUCKET_MARK}{bucket}'" for bucket in buckets)


def _ranked_candidates(
    cursor: Any,
    q: str,
    match: str,
    match_params: list[str],
    scope: str,
    scope_params: list[Any],
    offset: int,
    limit: int,
) -> tuple[list[tuple[Any, ...]], int]:
    """One page of the first CANDIDATES matches within `scope`, ranked, and how many candidates there are."""
    cursor.execute(
        f"""
        WITH candidates AS MATERIALIZED (
            SELECT i.id, i.search_vector, i.published_at
            FROM publication_publisheditem i
            WHERE i.search_vector @@ {match} AND {scope}
            LIMIT {CANDIDATES}
        )
        SELECT c.id, ts_rank(c.search_vector, {BOTH_FORMS}) AS rank, count(*) OVER () AS total
        FROM candidates c
        ORDER BY rank DESC, c.published_at DESC, c.id DESC
        LIMIT %s OFFSET %s
        """,  # noqa: S608 (placeholders only; the interpolated fragments are constants of this module)
        [*match_params, *scope_params, q, q, limit, offset],
    )
    rows = cursor.fetchall()
    if rows or not offset:
        return rows, rows[0][2] if rows else 0
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM publication_publisheditem i "  # noqa: S608
        f"WHERE i.search_vector @@ {match} AND {scope} LIMIT {CANDIDATES}) c",
        [*match_params, *scope_params],
    )
    return rows, cursor.fetchone()[0]


BOTH_FORMS = "(websearch_to_tsquery('simple', %s) || websearch_to_tsquery('simple', vn_unaccent(%s)))"
FOLDED_FORM = "websearch_to_tsquery('simple', vn_unaccent(%s))"


def _match_sql(q: str) -> tuple[str, list[str]]:
    """Which items match: the query's two forms, OR-ed (ranking still weighs the accented form higher).

    Every stored word also appears folded, in the same order, so whatever the accented form matches the
    folded form matches too, and the folded form alone finds the same items with half the index work (a
    phrase of common syllables: 146 → 99 ms at 1M items). Not so with an exclusion: `-"thừa kế"` folded would
    also exclude "thửa kề", so those queries keep both forms."""
    if _EXCLUSION.search(q):
        return BOTH_FORMS, [q, q]
    return FOLDED_FORM, [q]


def _latest(where: str, params: list[Any], offset: int, limit: int) -> SearchResult:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(
            f"SELECT i.id FROM publication_publisheditem i WHERE {where} "  # noqa: S608
            "ORDER BY i.published_at DESC, i.id DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM publication_publisheditem i WHERE {where} LIMIT {CANDIDATES}) c",  # noqa: S608
            params,
        )
        total = cursor.fetchone()[0]
    items = _in_order(ids)
    for item in items:
        item.snippet = snippet(item.question, [])  # type: ignore[attr-defined]
        item.title_marked = highlight(item.title, [])  # type: ignore[attr-defined]
    return SearchResult(items, total, total >= CANDIDATES)


def _filter_sql(filters: SearchFilters) -> tuple[str, list[Any]]:
    clauses: list[str] = ["i.status = %s"]
    params: list[Any] = [Status.PUBLISHED.value]
    prefix = _subtree_prefix(filters)
    if prefix is None:
        clauses.append("FALSE")  # an agency outside the site's subtree: nothing of it is shown here
    elif prefix:
        clauses.append("i.agency_id IN (SELECT a.id FROM agencies_agency a WHERE a.path LIKE %s)")
        params.append(prefix + "%")
    if filters.category is not None:
        clauses.append("i.category_id = %s")
        params.append(filters.category.pk)
    if filters.kind:
        clauses.append("i.kind = %s")
        params.append(filters.kind)
    if filters.published_from is not None:
        clauses.append("i.published_at >= %s")
        params.append(_start_of(filters.published_from))
    if filters.published_to is not None:
        clauses.append("i.published_at < %s")
        params.append(_start_of(filters.published_to + dt.timedelta(days=1)))
    return " AND ".join(clauses), params


def _subtree_prefix(filters: SearchFilters) -> str | None:
    """The one agency path prefix both the agency filter and the site's subtree allow ("" for any agency),
    or None when they do not overlap. One prefix keeps the query one index range on agencies' path."""
    wanted = filters.agency.path if filters.agency is not None else ""
    if wanted.startswith(filters.within_path):
        return wanted
    if filters.within_path.startswith(wanted):
        return filters.within_path
    return None


def _start_of(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def _in_order(ids: list[int]) -> list[PublishedItem]:
    # The search vector (kilobytes a row) and the private texts are never shown: leave them in the table.
    by_id = (
        PublishedItem.objects.select_related("agency", "category")
        .defer("search_vector", "source_title", "source_question", "source_answer")
        .in_bulk(ids)
    )
    return [by_id[i] for i in ids if i in by_id]


def _has_term(text: str, terms: list[str]) -> bool:
    wanted = set(terms)
    return any(_fold_word(word) in wanted for word in _WORD.findall(text))


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with the words the query looked for (any diacritics) in <mark>."""
    wanted = set(terms)
    parts = _TOKEN.split(text)
    return mark_safe(  # noqa: S308 (every part is escaped)
        "".join(
            f"<mark>{html.escape(part)}</mark>" if i % 2 and _fold_word(part) in wanted else html.escape(part)
            for i, part in enumerate(parts)
        )
    )


@lru_cache(maxsize=20_000)
def _fold_word(word: str) -> str:
    return vn_fold(word)


def snippet(text: str, terms: list[str], *, words: int = 32) -> SafeString:
    """About `words` words of `text` around the first match (or its start), highlighted."""
    tokens = _SNIPPET_TOKEN.findall(text)  # a "[hidden: …]" marker is one token: never cut in half
    wanted = set(terms)
    first = next((i for i, token in enumerate(tokens) if any(_fold_word(w) in wanted for w in _WORD.findall(token))), 0)
    start = max(0, first - words // 4)
    chosen = " ".join(tokens[start : start + words])
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return mark_safe(f"{prefix}{highlight(chosen, terms)}{suffix}")  # noqa: S308 (highlight escapes)


def did_you_mean(q: str) -> str:
    """A query close to `q` built from words of published titles, or "" if none is better."""
    words = _WORD.findall(q)
    if not words or len(words) > 8:
        return ""
    suggested = []
    with connections[read_alias()].cursor() as cursor:
        for word in words:
            folded = vn_fold(word)
            cursor.execute(
                "SELECT word, folded FROM publication_searchword WHERE folded %% %s "
                "ORDER BY similarity(folded, %s) DESC, frequency DESC LIMIT 1",
                [folded, folded],
            )
            row = cursor.fetchone()
            suggested.append(row[0] if row else word)
    suggestion = " ".join(suggested)
    return suggestion if suggestion.lower() != " ".join(words).lower() else ""
