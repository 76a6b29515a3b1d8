"""Each process's copy of the embeddings, searched by brute force, kept up to date from PostgreSQL.

PostgreSQL holds the vectors (models.Embedding) and is the only source of truth: the database here has no
vector extension (pgvector cannot be installed on the portals' servers), so nearest neighbours are found in
process. A process loads every vector once, then before a search (at most every SEMANTIC_INDEX_CHECK_SECONDS)
reads the rows whose `seq` is above the highest it holds: a vector written by any process or task is seen
within that time, and a rewritten one replaces its old copy. Which objects are still open or published is
not kept here: callers filter the nearest candidates against the database, so a closed case never needs
removing from every process.

Brute force (one matrix-vector product) is exact and needs no build step; at 384 float32 values a vector it
costs 1.5 KB and about 1 ms per 20,000 vectors on one core. Past a few hundred thousand vectors an HNSW
index (usearch, int8) takes over: see ARCHITECTURE.md "Understanding text" for the measured figures.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connections

from caunoi.core.replica import read_alias

from .embedder import DIM, MODEL_NAME, from_bytes
from .models import ObjectType

_TYPES = (ObjectType.CASE.value, ObjectType.ITEM.value)
LOAD_BATCH = 20_000


@dataclass(frozen=True)
class Neighbour:
    object_type: str
    object_id: int
    score: float  # cosine similarity


class VectorIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self._matrix = np.zeros((0, DIM), dtype=np.float32)
        self._types = np.zeros(0, dtype=np.int8)
        self._ids = np.zeros(0, dtype=np.int64)
        self._row_of: dict[tuple[int, int], int] = {}
        self._seq = 0
        self._checked_at = 0.0

    def __len__(self) -> int:
        return len(self._row_of)

    @property
    def nbytes(self) -> int:
        return int(self._matrix.nbytes + self._types.nbytes + self._ids.nbytes)

    def refresh(self, *, force: bool = False) -> None:
        """Reads the vectors written since the last refresh (all of them the first time)."""
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEMANTIC_INDEX_CHECK_SECONDS:
            return
        with self._lock:
            while True:
                with connections[read_alias()].cursor() as cursor:
                    cursor.execute(
                        "SELECT object_type, object_id, vector, seq FROM understanding_embedding "
                        "WHERE seq > %s AND model = %s ORDER BY seq LIMIT %s",
                        [self._seq, MODEL_NAME, LOAD_BATCH],
                    )
                    rows = cursor.fetchall()
                if rows:
                    self._apply(rows)
                if len(rows) < LOAD_BATCH:
                    break
            self._checked_at = now

    def _apply(self, rows: list[tuple[str, int, bytes, int]]) -> None:
        new_vectors, new_types, new_ids = [], [], []
        for object_type, object_id, vector, seq in rows:
            type_code = _TYPES.index(object_type)
            row = self._row_of.get((type_code, object_id))
            values = from_bytes(vector)
            if row is not None:
                self._matrix[row] = values  # rewritten text: the new vector replaces the old in place
            else:
                self._row_of[(type_code, object_id)] = len(self._ids) + len(new_ids)
                new_vectors.append(values)
                new_types.append(type_code)
                new_ids.append(object_id)
            self._seq = max(self._seq, seq)
        if new_ids:
            self._matrix = np.vstack([self._matrix, np.asarray(new_vectors, dtype=np.float32)])
            self._types = np.concatenate([self._types, np.asarray(new_types, dtype=np.int8)])
            self._ids = np.concatenate([self._ids, np.asarray(new_ids, dtype=np.int64)])

    def nearest(self, vector: np.ndarray, *, k: int, object_type: str | None = None) -> list[Neighbour]:
        """The k stored vectors most similar to `vector` (cosine), of one object type when given."""
        self.refresh()
        if not len(self._ids):
            return []
        scores = self._matrix @ vector.astype(np.float32)
        if object_type is not None:
            scores = np.where(self._types == _TYPES.index(object_type), scores, -np.inf)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [
            Neighbour(_TYPES[self._types[i]], int(self._ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])
        ]


_index = VectorIndex()


def vector_index() -> VectorIndex:
    """This process's index."""
    return _index
