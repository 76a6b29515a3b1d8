"""Each process's copy of the embeddings and words, searched by brute force, kept up to date from PostgreSQL.

PostgreSQL holds the vectors and folded words (models.Embedding) and is the only source of truth: the
database here has no vector extension (pgvector cannot be installed on the portals' servers), so nearest
neighbours are found in process. A process loads every row once, then before a search (at most every
SEMANTIC_INDEX_CHECK_SECONDS) reads the rows whose `seq` is above the highest it holds: a vector written by
any process or task is seen within that time, and a rewritten one replaces its old copy. Which objects are
still open or published is not kept here: callers filter the nearest candidates against the database, so a
closed case never needs removing from every process.

Two halves, one score. The words: TF-IDF over folded one- and two-word terms, with weights learned from the
platform's own texts (a word every question has, "thủ tục", weighs little; "khai sinh" much), refitted
when the collection has grown by REFIT_GROWTH. The meaning: e5's cosine. On the evaluation set
(tests/support/semantic_eval.py) the words alone find a duplicate in the first five for 96% of questions and
the model alone for 59% (81% of hand-written ones); rank fusion of the two lost to the words alone (62%),
while `words + MEANING_WEIGHT × (cosine − MEANING_CENTRE)` kept the best of both (95%, 95% hand-written).

Brute force (a sparse and a dense matrix-vector product) is exact and needs no build step: about 1 ms per
10,000 rows on one core. Past a few hundred thousand rows an HNSW index (usearch, int8) takes over for the
meaning half: see ARCHITECTURE.md "Understanding text" for the measured figures.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import connections
from sklearn.feature_extraction.text import TfidfVectorizer

from caunoi.core.replica import read_alias
from caunoi.core.text import vn_fold

from .embedder import DIM, MODEL_NAME, from_bytes
from .fusion import STOP_SYLLABLES
from .models import ObjectType

_TYPES = (ObjectType.CASE.value, ObjectType.ITEM.value)
LOAD_BATCH = 20_000
REFIT_GROWTH = 1.2
MEANING_WEIGHT = 0.5
MEANING_CENTRE = 0.85


@dataclass(frozen=True)
class Neighbour:
    object_type: str
    object_id: int
    score: float  # words + weighted meaning (see the module's docstring)
    words: float  # TF-IDF cosine
    meaning: float | None  # e5 cosine, when the query was embedded


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regular expression, not a password)
        ngram_range=(1, 2),
        sublinear_tf=True,
        stop_words=sorted(STOP_SYLLABLES),
    )


class VectorIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self._matrix = np.zeros((0, DIM), dtype=np.float32)
        self._types = np.zeros(0, dtype=np.int8)
        self._ids = np.zeros(0, dtype=np.int64)
        self._terms: list[str] = []
        self._row_of: dict[tuple[int, int], int] = {}
        self._seq = 0
        self._checked_at = 0.0
        self._vectorizer: TfidfVectorizer | None = None
        self._words = sp.csr_matrix((0, 0), dtype=np.float32)
        self._fitted_rows = 0

    def __len__(self) -> int:
        return len(self._row_of)

    @property
    def nbytes(self) -> int:
        words = self._words.data.nbytes + self._words.indices.nbytes + self._words.indptr.nbytes
        return int(self._matrix.nbytes + self._types.nbytes + self._ids.nbytes + words)

    def refresh(self, *, force: bool = False) -> None:
        """Reads the rows written since the last refresh (all of them the first time)."""
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEMANTIC_INDEX_CHECK_SECONDS:
            return
        with self._lock:
            while True:
                with connections[read_alias()].cursor() as cursor:
                    cursor.execute(
                        "SELECT object_type, object_id, vector, terms, seq FROM understanding_embedding "
                        "WHERE seq > %s AND model = %s ORDER BY seq LIMIT %s",
                        [self._seq, MODEL_NAME, LOAD_BATCH],
                    )
                    rows = cursor.fetchall()
                if rows:
                    self._apply(rows)
                if len(rows) < LOAD_BATCH:
                    break
            self._checked_at = now

    def _apply(self, rows: list[tuple[str, int, bytes, str, int]]) -> None:
        new_vectors: list[np.ndarray] = []
        new_types: list[int] = []
        new_ids: list[int] = []
        new_terms: list[str] = []
        rewritten = False
        for object_type, object_id, vector, terms, seq in rows:
            type_code = _TYPES.index(object_type)
            row = self._row_of.get((type_code, object_id))
            values = from_bytes(vector)
            if row is not None:
                self._matrix[row] = values  # rewritten text: the new vector replaces the old in place
                self._terms[row] = terms
                rewritten = True
            else:
                self._row_of[(type_code, object_id)] = len(self._ids) + len(new_ids)
                new_vectors.append(values)
                new_types.append(type_code)
                new_ids.append(object_id)
                new_terms.append(terms)
            self._seq = max(self._seq, seq)
        if new_ids:
            self._matrix = np.vstack([self._matrix, np.asarray(new_vectors, dtype=np.float32)])
            self._types = np.concatenate([self._types, np.asarray(new_types, dtype=np.int8)])
            self._ids = np.concatenate([self._ids, np.asarray(new_ids, dtype=np.int64)])
            self._terms.extend(new_terms)
        grown = len(self._terms) > self._fitted_rows * REFIT_GROWTH
        if self._vectorizer is None or rewritten or grown:
            self._refit()
        elif new_terms:
            # Between refits new rows use the weights learned so far (words never seen count for nothing).
            self._words = sp.vstack([self._words, self._vectorizer.transform(new_terms)]).tocsr()

    def _refit(self) -> None:
        if not any(t.strip() for t in self._terms):
            self._vectorizer, self._words, self._fitted_rows = None, sp.csr_matrix((len(self._terms), 0)), 0
            return
        vectorizer = _vectorizer()
        try:
            words = vectorizer.fit_transform(self._terms).astype(np.float32).tocsr()
        except ValueError:  # only stop words so far
            self._vectorizer, self._words, self._fitted_rows = None, sp.csr_matrix((len(self._terms), 0)), 0
            return
        self._vectorizer, self._words, self._fitted_rows = vectorizer, words, len(self._terms)

    def nearest(
        self,
        *,
        text: str,
        vector: np.ndarray | None,
        k: int,
        object_type: str | None = None,
        min_meaning: float = 0.9,
        min_words: float = 0.0,
    ) -> list[Neighbour]:
        """The k rows most like `text` (its words) and `vector` (its meaning, when given), best first, of
        one object type when given. Rows whose words score `min_words` or less and whose meaning is below
        `min_meaning` are left out."""
        self.refresh()
        if not len(self._ids):
            return []
        with self._lock:  # a refresh in another thread swaps the matrices
            matrix, words, vectorizer = self._matrix, self._words, self._vectorizer
            types, ids = self._types, self._ids
        n = len(ids)
        if vectorizer is not None and words.shape[0] == n:
            query = vectorizer.transform([vn_fold(text)]).astype(np.float32)
            word_scores = np.asarray((words @ query.T).todense()).ravel()
        else:
            word_scores = np.zeros(n, dtype=np.float32)
        meaning = matrix[:n] @ vector.astype(np.float32) if vector is not None else None
        scores = word_scores + (MEANING_WEIGHT * (meaning - MEANING_CENTRE) if meaning is not None else 0.0)
        relevant = word_scores > min_words
        if meaning is not None:
            relevant |= meaning >= min_meaning
        if object_type is not None:
            relevant &= types == _TYPES.index(object_type)
        scores = np.where(relevant, scores, -np.inf)
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [
            Neighbour(
                _TYPES[types[i]],
                int(ids[i]),
                float(scores[i]),
                float(word_scores[i]),
                float(meaning[i]) if meaning is not None else None,
            )
            for i in top
            if np.isfinite(scores[i])
        ]


_index = VectorIndex()


def vector_index() -> VectorIndex:
    """This process's index."""
    return _index
