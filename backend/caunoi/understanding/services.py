"""Writes of the understanding app: embeddings (texts → vectors) and routing models (routing_training.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from caunoi.cases.models import Case
from caunoi.core.text import vn_fold
from caunoi.core.transactions import service_transaction
from caunoi.publication.models import PublishedItem, Status

from . import embedder
from .models import ObjectType


def case_text(case: Case) -> str:
    return f"{case.title}\n{case.body}"


def item_text(item: PublishedItem) -> str:
    # The question, not the answer: a duplicate asks the same thing, whatever was answered.
    return f"{item.title}\n{item.question}"


def folded_terms(text: str) -> str:
    return vn_fold(" ".join(text.split())[: embedder.MAX_CHARS])


def texts_of(object_type: str, ids: Iterable[int]) -> dict[int, str]:
    """The texts to embed of these objects that still exist (published items: only published ones)."""
    ids = list(ids)
    if object_type == ObjectType.CASE:
        return {c.pk: case_text(c) for c in Case.objects.filter(pk__in=ids).only("id", "title", "body")}
    items = PublishedItem.objects.filter(pk__in=ids, status=Status.PUBLISHED).only("id", "title", "question")
    return {i.pk: item_text(i) for i in items}


@service_transaction
def embeddings_store(*, object_type: str, vectors: dict[int, tuple[bytes, str]]) -> int:
    """Stores (or replaces) the vectors of these objects under a new `seq` each, so every process's index
    picks them up (index.py). Idempotent: storing the same vector again only renews its seq."""
    if not vectors:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO understanding_embedding (object_type, object_id, model, vector, terms, seq, updated_at)
            VALUES (%s, %s, %s, %s, %s, nextval('understanding_embedding_seq'), now())
            ON CONFLICT (object_type, object_id) DO UPDATE
              SET model = EXCLUDED.model, vector = EXCLUDED.vector, terms = EXCLUDED.terms, seq = EXCLUDED.seq,
                  updated_at = now()
            """,
            [
                (object_type, object_id, embedder.MODEL_NAME, vector, terms)
                for object_id, (vector, terms) in vectors.items()
            ],
        )
    return len(vectors)


def embed_objects(*, object_type: str, ids: Iterable[int]) -> int:
    """Embeds these objects' current texts (outside any transaction: the model takes milliseconds a text)
    and stores the vectors. Returns how many were stored."""
    texts = texts_of(object_type, ids)
    if not texts:
        return 0
    keys = list(texts)
    vectors = embedder.embed([texts[k] for k in keys])
    return embeddings_store(
        object_type=object_type,
        vectors={k: (embedder.to_bytes(v), folded_terms(texts[k])) for k, v in zip(keys, vectors, strict=True)},
    )


def missing_ids(object_type: str, *, after: int = 0, limit: int = 256) -> list[int]:
    """Ids (above `after`, ascending) of cases or published items with no vector of the current model."""
    table, condition = (
        ("cases_case", "TRUE")
        if object_type == ObjectType.CASE
        else ("publication_publisheditem", "o.status = 'published'")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT o.id FROM {table} o
            LEFT JOIN understanding_embedding e
              ON e.object_type = %s AND e.object_id = o.id AND e.model = %s
            WHERE e.id IS NULL AND o.id > %s AND {condition}
            ORDER BY o.id LIMIT %s
            """,  # noqa: S608 (table and condition are constants above)
            [object_type, embedder.MODEL_NAME, after, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def missing_count(object_type: str) -> int:
    table, condition = (
        ("cases_case", "TRUE")
        if object_type == ObjectType.CASE
        else ("publication_publisheditem", "o.status = 'published'")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {table} o LEFT JOIN understanding_embedding e "  # noqa: S608
            f"ON e.object_type = %s AND e.object_id = o.id AND e.model = %s WHERE e.id IS NULL AND {condition}",
            [object_type, embedder.MODEL_NAME],
        )
        return cursor.fetchone()[0]
