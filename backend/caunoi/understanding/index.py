"""Each process's copy of the embeddings and words, searched by brute force, kept up to date from PostgreSQL.

PostgreSQL holds the vectors and folded words (models.Embedding) and is the only source of truth: the
database here has no vector extension (pgvector cannot be installed on the portals' servers), so nearest
neighbours are found in process. A process loads every row once, then before a search (at most every
SEMANTIC_INDEX_CHECK_SECONDS) reads the rows whose `seq` is above the highest it holds: a vector written by
any process or task is seen within that time, and a rewritten one replaces its old copy. Which objects are
still open or published is not kept here: callers filter the nearest candidates against the database, so a
closed case never needs removing from every process.

Two halves, one score. The words: TF-IDF over folded one- and two-word terms (hashed, words.py), with
weights learned from the platform's own texts (a word every question has, "thủ tục", weighs little; "khai
sinh" much), refitted when the collection has grown by REFIT_GROWTH. The meaning: e5's cosine. On the evaluation set
(tests/support/semantic_eval.py) the words alone find a duplicate in the first five for 96% of questions and
the model alone for 59% (81% of hand-written ones); rank fusion of the two lost to the words alone (62%),
while `words + MEANING_WEIGHT × (cosine − MEANING_CENTRE)` kept the best of both (95%, 95% hand-written).

Brute force (a sparse and a dense matrix-vector product) is exact and needs no build step: about 1 ms per
10,000 rows on one core, which is what runs while no index file exists. Once `manage.py build_semantic_index`
has written one (ann.py), the meaning half asks its HNSW graph and the words half the postings files written
with it (words.py: capped inverted lists, the heaviest rows first), all memory-mapped and shared between
processes; this process then holds only the rows written after the files (their words and vectors), and the
candidates of both halves are scored exactly as above. See ARCHITECTURE.md "Understanding text" for
the measured figures.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import connections

from caunoi.core.replica import read_alias
from caunoi.core.text import vn_fold

from . import ann
from .embedder import DIM, MODEL_NAME, from_bytes
from .models import ObjectType
from .words import FEATURES, WORD_CANDIDATES, Weights

_TYPES = (ObjectType.CASE.value, ObjectType.ITEM.value)  # the order of ann.TYPES: a key's low bit
LOAD_BATCH = 20_000
REFIT_GROWTH = 1.2
MEANING_WEIGHT = 0.5
MEANING_CENTRE = 0.85
MEANING_CANDIDATES = 100  # with the files: the rows the meaning half brings (the words half: WORD_CANDIDATES)


@dataclass(frozen=True)
class Neighbour:
    object_type: str
    object_id: int
    score: float  # words + weighted meaning (see the module's docstring)
    words: float  # TF-IDF cosine
    meaning: float | None  # e5 cosine, when the query was embedded


class VectorIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self, file: ann.MeaningFile | None = None) -> None:
        """Forgets every row held; with `file`, the rows it covers are read from it, not held here."""
        # Rows held in this process: every row without the files, else only those written after them.
        self._file = file
        self._matrix = np.zeros((0, DIM), dtype=np.float32)  # the vector of each row held
        self._row_seq = np.zeros(0, dtype=np.int64)
        self._types = np.zeros(0, dtype=np.int8)
        self._ids = np.zeros(0, dtype=np.int64)
        self._terms: list[str] = []
        self._row_of: dict[tuple[int, int], int] = {}
        self._seq = file.seq if file is not None else 0
        self._checked_at = 0.0
        self._weights: Weights | None = file.words.weights if file is not None else None
        self._words = sp.csr_matrix((0, FEATURES), dtype=np.float32)
        self._fitted_rows = 0

    def __len__(self) -> int:
        return len(self._row_of)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held privately by this process (not the mapped files)."""
        words = self._words.data.nbytes + self._words.indices.nbytes + self._words.indptr.nbytes
        return int(self._matrix.nbytes + self._types.nbytes + self._ids.nbytes + self._row_seq.nbytes + words)

    @property
    def uses_file(self) -> bool:
        return self._file is not None

    @property
    def words_file(self) -> ann.WordsFile | None:
        return self._file.words if self._file is not None else None

    def vector_of(self, object_type: str, object_id: int) -> np.ndarray | None:
        """The stored vector of one object as this process holds or maps it (the file's is int8: its
        cosines are within ≈ 0.005 of the original's), None when it has none (yet)."""
        self.refresh()
        with self._lock:
            type_code = _TYPES.index(object_type)
            row = self._row_of.get((type_code, object_id))
            if row is not None:
                return self._matrix[row].copy()
            mapped = self._file
        if mapped is None:
            return None
        found = mapped.vectors(ann.key_of(type_code, np.array([object_id])))
        if not found or found[0] is None:
            return None
        return found[0] / (np.linalg.norm(found[0]) or 1.0)  # the file keeps int8 at its own scale

    def refresh(self, *, force: bool = False) -> None:
        """Reads the rows written since the last refresh (all of them the first time, or those after the
        mapped files)."""
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEMANTIC_INDEX_CHECK_SECONDS:
            return
        with self._lock:
            mapped = ann.open_file(self._file)
            if mapped is not self._file:
                # The files appeared, changed or went: the rows they cover are read from them (or, once
                # they are gone, every row again from the database).
                self.reset(mapped)
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
        new_seqs: list[int] = []
        new_terms: list[str] = []
        rewritten = False
        for object_type, object_id, vector, terms, seq in rows:
            type_code = _TYPES.index(object_type)
            row = self._row_of.get((type_code, object_id))
            if row is not None:  # rewritten text: the new vector and words replace the old
                self._terms[row] = terms
                self._row_seq[row] = seq
                self._matrix[row] = from_bytes(vector)
                rewritten = True
            else:
                self._row_of[(type_code, object_id)] = len(self._ids) + len(new_ids)
                new_types.append(type_code)
                new_ids.append(object_id)
                new_seqs.append(seq)
                new_terms.append(terms)
                new_vectors.append(from_bytes(vector))
            self._seq = max(self._seq, seq)
        if new_ids:
            self._matrix = np.vstack([self._matrix, np.asarray(new_vectors, dtype=np.float32)])
            self._types = np.concatenate([self._types, np.asarray(new_types, dtype=np.int8)])
            self._ids = np.concatenate([self._ids, np.asarray(new_ids, dtype=np.int64)])
            self._row_seq = np.concatenate([self._row_seq, np.asarray(new_seqs, dtype=np.int64)])
            self._terms.extend(new_terms)
        # With the files the weights are theirs (a row held here is one of the few written since); without,
        # they are learned again from every row once the collection has grown enough.
        grown = self._file is None and len(self._terms) > self._fitted_rows * REFIT_GROWTH
        if self._weights is None or rewritten or grown:
            self._refit()
        elif new_terms:
            # Between refits new rows use the weights learned so far.
            self._words = sp.vstack([self._words, self._weights.transform(new_terms)]).tocsr()

    def _refit(self) -> None:
        if self._file is not None:
            self._weights = self._file.words.weights
            self._words = self._weights.transform(self._terms)
            return
        if not any(t.strip() for t in self._terms):
            self._weights, self._words, self._fitted_rows = None, sp.csr_matrix((len(self._terms), 0)), 0
            return
        self._weights, self._words = Weights.fit(self._terms)
        self._fitted_rows = len(self._terms)

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
        with self._lock:  # a refresh in another thread swaps the matrices
            held = _Held(self._matrix, self._words, self._weights, self._types, self._ids, dict(self._row_of))
            mapped = self._file
        if not len(held.ids) and mapped is None:
            return []
        weights = held.weights
        query = weights.transform([vn_fold(text)]) if weights is not None else None
        if query is not None and held.words.shape[0] < len(held.ids):
            query = None  # rows appended while this thread read: their words are not there yet
        vector = vector.astype(np.float32) if vector is not None else None
        if mapped is None:
            types, ids = held.types, held.ids
            word_scores = (
                np.asarray((held.words @ query.T).todense()).ravel()
                if query is not None
                else np.zeros(len(ids), np.float32)
            )
            meaning = held.matrix @ vector if vector is not None else None
        else:
            types, ids, word_scores, meaning = _candidates(held, mapped, query, vector, object_type)
        scores = word_scores + (MEANING_WEIGHT * (meaning - MEANING_CENTRE) if meaning is not None else 0.0)
        relevant = word_scores > min_words
        if meaning is not None:
            relevant |= meaning >= min_meaning
        if object_type is not None:
            relevant &= types == _TYPES.index(object_type)
        scores = np.where(relevant, scores, -np.inf)
        if not len(ids):
            return []
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
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


@dataclass(frozen=True)
class _Held:
    """The rows held in process, as one lookup saw them."""

    matrix: np.ndarray
    words: sp.csr_matrix
    weights: Weights | None
    types: np.ndarray
    ids: np.ndarray
    row_of: dict[tuple[int, int], int]


def _candidates(
    held: _Held,
    mapped: ann.MeaningFile,
    query: sp.csr_matrix | None,
    vector: np.ndarray | None,
    object_type: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """With the files: the objects either half brings (a bounded number), as (types, ids, exact word
    scores, meaning). A row held here was written after the files: its words and vector replace theirs."""
    meaning_of: dict[int, float] = {}  # key → cosine, when known
    candidates: list[np.ndarray] = []
    if vector is not None:
        wanted = MEANING_CANDIDATES * (4 if object_type is not None else 1)
        keys, similarities = mapped.search(vector, wanted)
        for key, similarity in zip(keys.tolist(), similarities.tolist(), strict=True):
            if (key & 1, key >> 1) not in held.row_of:  # one held here is newer than the file's
                meaning_of[key] = similarity
        if len(held.ids):
            close = held.matrix @ vector
            best = np.argsort(-close)[:wanted]
            candidates.append(ann.key_of(held.types[best], held.ids[best]))
        candidates.append(np.fromiter(meaning_of, dtype=np.uint64, count=len(meaning_of)))
    if query is not None:
        candidates.append(mapped.words.candidates(query)[0])
        if len(held.ids):
            by_words = np.asarray((held.words @ query.T).todense()).ravel()
            best = np.argsort(-by_words)[:WORD_CANDIDATES]
            best = best[by_words[best] > 0]
            candidates.append(ann.key_of(held.types[best], held.ids[best]))
    keys = np.unique(np.concatenate(candidates)) if candidates else np.zeros(0, dtype=np.uint64)
    types, ids = (keys & 1).astype(np.int8), (keys >> 1).astype(np.int64)
    rows = np.array([held.row_of.get((int(t), int(i)), -1) for t, i in zip(types, ids, strict=True)], dtype=np.int64)
    is_held = rows >= 0
    word_scores = np.zeros(len(keys), dtype=np.float32)
    if query is not None and len(keys):
        word_scores[~is_held] = mapped.words.scores(keys[~is_held], query)
        if is_held.any():
            word_scores[is_held] = np.asarray((held.words[rows[is_held]] @ query.T).todense()).ravel()
    if vector is None:
        return types, ids, word_scores, None
    meaning = np.full(len(keys), -1.0, dtype=np.float32)  # unknown: an object the file left out
    if is_held.any():
        meaning[is_held] = held.matrix[rows[is_held]] @ vector
    from_file = []
    for i, key in enumerate(keys.tolist()):
        if is_held[i]:
            continue
        if key in meaning_of:
            meaning[i] = meaning_of[key]
        else:
            from_file.append(i)
    if from_file:
        for i, stored in zip(from_file, mapped.vectors(keys[from_file]), strict=True):
            if stored is not None:
                meaning[i] = float(stored @ vector / (np.linalg.norm(stored) or 1.0))
    return types, ids, word_scores, meaning


_index = VectorIndex()


def vector_index() -> VectorIndex:
    """This process's index."""
    return _index
