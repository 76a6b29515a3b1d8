"""Similar open cases and published answers for a text: meaning and words, fused, with the reasons.

The in-process index (index.py, over cases and published items alike) ranks by the platform's own word
weights plus e5's meaning. Without the model, two database lists are fused by reciprocal rank instead
(fusion.py): open cases by trigram similarity of their folded text (the GIN index on open cases,
`case_open_folded_trgm_idx`) and published items by the portal's own similar-question lookup (title
trigrams and full-text). The same agency, the same area and recency add a little. Each suggestion
says why: the words it shares with the text, and whether it is close in meaning. Questions typed without
diacritics are poorly served by the model; the lexical lists, which fold both sides, carry them.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.core.replica import read_alias
from caunoi.core.text import normalize, vn_fold
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.selectors import published_similar

from . import embedder
from .fusion import RRF_K, rrf_scores, shared_words
from .index import Neighbour, vector_index
from .models import Embedding, ObjectType

logger = logging.getLogger(__name__)

SEMANTIC_CANDIDATES = 40
LEXICAL_CANDIDATES = 20
# A suggestion shares more than a word or two with the text (TF-IDF cosine of the folded words), or is close
# in meaning: "giấy tờ" alone makes no duplicate.
MIN_WORDS = 0.15
# From this cosine on, a text is offered on its meaning alone and said to be "close in meaning" (e5's scores
# sit between 0.8 and 1: "làm sổ đỏ lần đầu" against "cấp giấy chứng nhận quyền sử dụng đất lần đầu" 0.887,
# against a complaint about karaoke 0.862).
CLOSE_IN_MEANING = 0.88
# The database's own lists (trigrams of open cases' texts, of published titles) are the fallback when the
# in-process index finds nothing (no model, nothing embedded yet). Fused in beside the in-process ranking
# they only hurt: on the evaluation set recall@5 fell from 0.96 (weight 0) to 0.66 at a fifth of its weight
# (tests/bench/semantic_bench.py); alone they reach 0.39. Their weight in the fusion while the index answers:
DATABASE_LIST_WEIGHT = 0.0
# Fused with the ranks: a bonus of one RRF step near the top for the same agency, half of one for the area.
SAME_AGENCY_BONUS = 1.0 / (RRF_K + 1) - 1.0 / (RRF_K + 3)
SAME_AREA_BONUS = SAME_AGENCY_BONUS / 2
RECENCY_BONUS = SAME_AGENCY_BONUS / 2  # fades with a 90-day half-life
TRIGRAM_FLOOR = 0.12
MAX_TEXT = 600


@dataclass
class Suggestion:
    object_type: str  # "case" | "item"
    obj: Any  # Case | PublishedItem
    score: float
    shared: list[str] = field(default_factory=list)
    meaning: float | None = None  # cosine similarity when the model found it
    same_agency: bool = False
    same_area: bool = False

    @property
    def is_case(self) -> bool:
        return self.object_type == ObjectType.CASE

    @property
    def faq_url(self) -> str | None:
        """A published answer's agency's public FAQ (faq.py), where the answers asked again and again are
        gathered; None for a case or an answer imported without an agency here."""
        if self.is_case or self.obj.agency_id is None:
            return None
        return reverse("understanding:faq", args=[self.obj.agency.code])


def _nearest(text: str, vector: np.ndarray | None) -> list[Neighbour]:
    """The in-process ranking (index.py): the words with the platform's own weights, plus the meaning when
    the text has diacritics (typed without them, e5 reads noise) or its vector is known."""
    if not embedder.available():
        return []
    try:
        if vector is None and vn_fold(text) != text.lower():
            vector = embedder.embed_one(text)
        return vector_index().nearest(
            text=text, vector=vector, k=SEMANTIC_CANDIDATES, min_words=MIN_WORDS, min_meaning=CLOSE_IN_MEANING
        )
    except Exception:
        logger.exception("in-process lookup failed; database lists only")
        return []


def _open_cases_by_words(folded: str, exclude: int | None) -> list[int]:
    """Open cases (not duplicates, not held) whose folded text shares the most trigrams with `folded`."""
    alias = read_alias()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [TRIGRAM_FLOOR])
        cursor.execute(
            """
            SELECT c.id FROM cases_case c
            WHERE c.closed_at IS NULL AND c.folded_text %% %s AND c.id <> %s
              AND c.duplicate_of_id IS NULL AND c.held_at IS NULL
            ORDER BY similarity(c.folded_text, %s) DESC, c.id DESC
            LIMIT %s
            """,
            [folded, exclude or 0, folded, LEXICAL_CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def similar_to_text(
    text: str,
    *,
    include_cases: bool = True,
    include_items: bool = True,
    exclude_case: int | None = None,
    agency_id: int | None = None,
    area_id: int | None = None,
    within_path: str = "",
    case_scope: QuerySet[Case] | None = None,
    vector: np.ndarray | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """The open cases and published items most like `text`, best first, each with its reasons.

    Open cases are for staff only: callers showing the public anything pass include_cases=False, staff
    callers pass the cases the person may see as `case_scope` (access.cases_for_staff). With
    `within_path` (a component site) only published items of its agencies are offered. Texts under 6
    characters find nothing. `vector`: the text's embedding when it is known (a stored case's)."""
    text = " ".join(normalize(text).split())[:MAX_TEXT]
    folded = vn_fold(text)
    if len(text) < 6:
        return []
    nearest = _nearest(text, vector)
    meaning = {(n.object_type, n.object_id): n.meaning for n in nearest if n.meaning is not None}
    rankings: list[list[tuple[str, int]]] = [
        [
            (n.object_type, n.object_id)
            for n in nearest
            if (n.object_type == "case" and include_cases) or (n.object_type == "item" and include_items)
        ]
    ]
    weights = [1.0]
    # Without the model, or when the index knows nothing like it (texts not embedded yet, as on a new
    # deployment before `build_embeddings`), the database's lists answer.
    fallback = not nearest
    if include_cases and (fallback or DATABASE_LIST_WEIGHT):
        rankings.append([("case", i) for i in _open_cases_by_words(folded, exclude_case)])
        weights.append(1.0 if fallback else DATABASE_LIST_WEIGHT)
    if include_items and (fallback or DATABASE_LIST_WEIGHT):
        rankings.append([("item", item.pk) for item in published_similar(text=text, limit=10, within_path=within_path)])
        weights.append(1.0 if fallback else DATABASE_LIST_WEIGHT)
    scores = rrf_scores(rankings, weights=weights)
    cases, items = _load(scores, exclude_case=exclude_case, within_path=within_path, case_scope=case_scope)
    suggestions = _reasons(text, scores, cases, items, meaning=meaning, agency_id=agency_id, area_id=area_id)
    suggestions.sort(key=lambda s: -s.score)
    return suggestions[:limit]


def _reasons(
    text: str,
    scores: dict[Any, float],
    cases: dict[int, Case],
    items: dict[int, PublishedItem],
    *,
    meaning: dict[tuple[str, int], float],
    agency_id: int | None,
    area_id: int | None,
) -> list[Suggestion]:
    """The candidates still offered (found in `cases` or `items`), each with the words it shares with `text`
    and its signals (same agency, area, recency) added to its score. One without a reason is dropped."""
    suggestions = []
    now = clock.now()
    for key, score in scores.items():
        object_type, object_id = cast(tuple[str, int], key)
        obj: Any = (cases if object_type == "case" else items).get(object_id)
        if obj is None:
            continue  # closed, linked, unpublished or outside the site since it was embedded
        other_text = f"{obj.title} {obj.body if object_type == 'case' else obj.question}"
        suggestion = Suggestion(
            object_type,
            obj,
            score,
            shared=shared_words(text, other_text),
            meaning=close if (close := meaning.get((object_type, object_id))) and close >= CLOSE_IN_MEANING else None,
            same_agency=agency_id is not None and obj.agency_id == agency_id,
            same_area=area_id is not None and object_type == "case" and obj.area_id == area_id,
        )
        when = obj.received_at if object_type == "case" else obj.published_at
        age_days = max(0.0, (now - when).total_seconds() / 86400) if when else 365.0
        suggestion.score += (
            SAME_AGENCY_BONUS * suggestion.same_agency
            + SAME_AREA_BONUS * suggestion.same_area
            + RECENCY_BONUS * math.pow(0.5, age_days / 90)
        )
        if suggestion.shared or suggestion.meaning is not None:
            suggestions.append(suggestion)
    return suggestions


# What the suggestions show and explain (titles, texts, dates, the agency's code and names; for reuse the
# answer): loading only these halves the database part of a lookup (≈ 6 → 3.5 ms for 40 candidates, most
# of it decoding the other columns: a case has seven dates and two JSON documents).
_AGENCY_FIELDS = ("agency__code", "agency__name", "agency__name_en", "agency__path")
_CASE_FIELDS = ("title", "body", "tracking_code", "agency_id", "area_id", "received_at", *_AGENCY_FIELDS)
_ITEM_FIELDS = (
    "slug",
    "title",
    "question",
    "answer",
    "agency_id",
    "published_at",
    "origin_agency_name",
    *_AGENCY_FIELDS,
)


def _load(
    scores: dict[Any, float], *, exclude_case: int | None, within_path: str, case_scope: QuerySet[Case] | None
) -> tuple[dict[int, Case], dict[int, PublishedItem]]:
    """The candidates still offered, by primary key: open cases (not duplicates, not held, in `case_scope`)
    and published items (of the site's agencies), with only the fields suggestions use."""
    case_ids = [i for t, i in scores if t == "case" and i != exclude_case]
    item_ids = [i for t, i in scores if t == "item"]
    cases = (
        (case_scope if case_scope is not None else Case.objects.all())
        .filter(pk__in=case_ids, closed_at__isnull=True, duplicate_of__isnull=True, held_at__isnull=True)
        .select_related(None)  # the scope's own joins (a queue's) are not needed here
        .select_related("agency")
        .only(*_CASE_FIELDS)
        .in_bulk()
        if case_ids
        else {}
    )
    items_qs = PublishedItem.objects.filter(pk__in=item_ids, status=Status.PUBLISHED).select_related("agency")
    if within_path:
        items_qs = items_qs.filter(Q(agency__path__startswith=within_path))
    items = items_qs.only(*_ITEM_FIELDS).in_bulk() if item_ids else {}
    return cases, items


def stored_vector(case: Case) -> np.ndarray | None:
    """The case's stored embedding (current model), or None before its task has run: the copy this process
    holds or maps (index.py) when there is one, else the database's."""
    held = vector_index().vector_of(ObjectType.CASE, case.pk)
    if held is not None:
        return held
    stored = Embedding.objects.filter(object_type=ObjectType.CASE, object_id=case.pk, model=embedder.MODEL_NAME).first()
    return embedder.from_bytes(stored.vector) if stored is not None else None


def similar_to_case(case: Case, *, case_scope: QuerySet[Case], limit: int = 5) -> list[Suggestion]:
    """Open cases (of `case_scope`: those the person may see) and published answers like `case` (never
    itself), for the staff case page and API."""
    return similar_to_text(
        f"{case.title} {case.body}",
        exclude_case=case.pk,
        case_scope=case_scope,
        vector=stored_vector(case),  # no model run on the page
        agency_id=case.agency_id,
        area_id=case.area_id,
        limit=limit,
    )
