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
10,000 rows on one core, which is what runs while no index file exists. Once `manage.py build_semantic_index`
has written one (ann.py), the meaning half asks its HNSW graph (memory-mapped, shared between processes) and
this process holds only the vectors written after it; the words half then reads capped postings lists
(an inverted index over the TF-IDF weights, at most MAX_POSTINGS rows a term, the heaviest kept) instead of
every row; the candidates of both are scored exactly as above. See ARCHITECTURE.md "Understanding text" for
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
from sklearn.feature_extraction.text import TfidfVectorizer

from caunoi.core.replica import read_alias
from caunoi.core.text import vn_fold

from . import ann
from .embedder import DIM, MODEL_NAME, from_bytes
from .fusion import STOP_SYLLABLES
from .models import ObjectType

_TYPES = (ObjectType.CASE.value, ObjectType.ITEM.value)
LOAD_BATCH = 20_000
REFIT_GROWTH = 1.2
MEANING_WEIGHT = 0.5
MEANING_CENTRE = 0.85
# With an index file: the candidates each half brings, and the bound on the words half's work.
MEANING_CANDIDATES = 100
WORD_CANDIDATES = 200
MAX_POSTINGS = 5_000  # rows a term's postings list keeps (the heaviest): a term in more weighs little
POSTINGS_TAIL = 20_000  # rows appended since the postings were built, scanned directly until rebuilt
DEAD = -1  # the id of a row whose text was rewritten (with an index file): never offered


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
        # Vectors held in this process: every row's without an index file, else only those written after it.
        self._matrix = np.zeros((0, DIM), dtype=np.float32)
        self._dense_rows = np.zeros(0, dtype=np.int64)  # the row of each vector in _matrix
        self._dense_pos: dict[int, int] = {}
        self._row_seq = np.zeros(0, dtype=np.int64)
        self._file: ann.MeaningFile | None = None
        self._postings: sp.csc_matrix | None = None  # capped, over rows [0, _postings_rows)
        self._postings_rows = 0
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
        if self._postings is not None:
            words += self._postings.data.nbytes + self._postings.indices.nbytes + self._postings.indptr.nbytes
        return int(self._matrix.nbytes + self._types.nbytes + self._ids.nbytes + self._row_seq.nbytes + words)

    @property
    def uses_file(self) -> bool:
        return self._file is not None

    def refresh(self, *, force: bool = False) -> None:
        """Reads the rows written since the last refresh (all of them the first time)."""
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEMANTIC_INDEX_CHECK_SECONDS:
            return
        with self._lock:
            mapped = ann.open_file(self._file)
            if mapped is None and self._file is not None:
                self.reset()  # the file is gone: every vector is needed in memory again
            elif mapped is not None and mapped is not self._file:
                self._file = mapped
                self._keep_dense_after(mapped.seq)
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

    def _keep_dense_after(self, seq: int) -> None:
        """Drops the vectors the (new) index file holds: those of rows written up to its `seq`."""
        keep = self._row_seq[self._dense_rows] > seq
        self._matrix, self._dense_rows = self._matrix[keep], self._dense_rows[keep]
        self._dense_pos = {int(row): pos for pos, row in enumerate(self._dense_rows)}

    def _apply(self, rows: list[tuple[str, int, bytes, str, int]]) -> None:
        new_vectors: list[np.ndarray] = []
        new_dense: list[int] = []
        new_types: list[int] = []
        new_ids: list[int] = []
        new_seqs: list[int] = []
        new_terms: list[str] = []
        rewritten = False
        dead: list[int] = []
        covered = self._file.seq if self._file is not None else 0
        for object_type, object_id, vector, terms, seq in rows:
            type_code = _TYPES.index(object_type)
            row = self._row_of.get((type_code, object_id))
            if row is not None and self._file is not None:
                # At the file's scale refitting the words for one edit would stall every process: the new
                # text becomes a new row (read through the postings' tail) and the old one is left dead.
                self._terms[row] = ""
                dead.append(row)
                row = None
            if row is not None:
                self._terms[row] = terms
                self._row_seq[row] = seq
                rewritten = True
            else:
                row = len(self._ids) + len(new_ids)
                self._row_of[(type_code, object_id)] = row
                new_types.append(type_code)
                new_ids.append(object_id)
                new_seqs.append(seq)
                new_terms.append(terms)
            if seq > covered:  # not in the index file: held here
                position = self._dense_pos.get(row)
                if position is not None:
                    self._matrix[position] = from_bytes(vector)  # rewritten text: the new vector replaces the old
                else:
                    self._dense_pos[row] = len(self._dense_rows) + len(new_dense)
                    new_dense.append(row)
                    new_vectors.append(from_bytes(vector))
            self._seq = max(self._seq, seq)
        if new_dense:
            self._matrix = np.vstack([self._matrix, np.asarray(new_vectors, dtype=np.float32)])
            self._dense_rows = np.concatenate([self._dense_rows, np.asarray(new_dense, dtype=np.int64)])
        if new_ids:
            self._types = np.concatenate([self._types, np.asarray(new_types, dtype=np.int8)])
            self._ids = np.concatenate([self._ids, np.asarray(new_ids, dtype=np.int64)])
            self._row_seq = np.concatenate([self._row_seq, np.asarray(new_seqs, dtype=np.int64)])
            self._terms.extend(new_terms)
        if dead:
            self._ids[dead] = DEAD
        grown = len(self._terms) > self._fitted_rows * REFIT_GROWTH
        if self._vectorizer is None or rewritten or grown:
            self._refit()
        elif new_terms:
            # Between refits new rows use the weights learned so far (words never seen count for nothing).
            self._words = sp.vstack([self._words, self._vectorizer.transform(new_terms)]).tocsr()

    def _refit(self) -> None:
        self._postings, self._postings_rows = None, 0
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
        self._postings, self._postings_rows = None, 0

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
            types, ids, mapped = self._types, self._ids, self._file
            postings, postings_rows = self._current_postings() if mapped is not None else (None, 0)
            dense_rows, dense_pos = self._dense_rows, self._dense_pos
        n = len(ids)
        query = vectorizer.transform([vn_fold(text)]).astype(np.float32) if vectorizer is not None else None
        if query is not None and words.shape[0] < n:
            query = None  # rows appended while this thread read: their words are not there yet
        if mapped is None:
            rows = np.arange(n)
            word_scores = (
                np.asarray((words @ query.T).todense()).ravel() if query is not None else np.zeros(n, np.float32)
            )
            meaning = matrix[:n] @ vector.astype(np.float32) if vector is not None else None
        else:
            rows, word_scores, meaning = self._candidates(
                query, vector, words, postings, postings_rows, mapped, matrix, dense_rows, dense_pos, object_type
            )
        scores = word_scores + (MEANING_WEIGHT * (meaning - MEANING_CENTRE) if meaning is not None else 0.0)
        relevant = word_scores > min_words
        if meaning is not None:
            relevant |= meaning >= min_meaning
        if object_type is not None:
            relevant &= types[rows] == _TYPES.index(object_type)
        scores = np.where(relevant, scores, -np.inf)
        if not len(rows):
            return []
        k = min(k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [
            Neighbour(
                _TYPES[types[rows[i]]],
                int(ids[rows[i]]),
                float(scores[i]),
                float(word_scores[i]),
                float(meaning[i]) if meaning is not None else None,
            )
            for i in top
            if np.isfinite(scores[i])
        ]

    def _current_postings(self) -> tuple[sp.csc_matrix | None, int]:
        """The capped postings lists (built again when too many rows were appended since), under the lock."""
        n = self._words.shape[0]
        if self._vectorizer is None or not n:
            return None, 0
        if self._postings is None or n - self._postings_rows > POSTINGS_TAIL:
            self._postings, self._postings_rows = capped_postings(self._words), n
        return self._postings, self._postings_rows

    def _candidates(
        self,
        query: sp.csr_matrix | None,
        vector: np.ndarray | None,
        words: sp.csr_matrix,
        postings: sp.csc_matrix | None,
        postings_rows: int,
        mapped: ann.MeaningFile,
        matrix: np.ndarray,
        dense_rows: np.ndarray,
        dense_pos: dict[int, int],
        object_type: str | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """With an index file: the rows either half brings (a bounded number), with their exact word
        scores and meaning."""
        found: dict[int, float] = {}  # row → cosine, when known
        if vector is not None:
            vector = vector.astype(np.float32)
            wanted = MEANING_CANDIDATES * (4 if object_type is not None else 1)
            keys, similarities = mapped.search(vector, wanted)
            for key, similarity in zip(keys.tolist(), similarities.tolist(), strict=True):
                row = self._row_of.get((key & 1, key >> 1))
                if row is not None and row not in dense_pos:  # a vector held here is newer than the file's
                    found[row] = similarity
            if len(dense_rows):
                held = matrix @ vector
                for position in np.argsort(-held)[:wanted].tolist():
                    found[int(dense_rows[position])] = float(held[position])
        by_words: np.ndarray = np.zeros(0, dtype=np.int64)
        if query is not None:
            by_words = word_candidates(query, words, postings, postings_rows)
        rows = np.union1d(np.fromiter(found, dtype=np.int64, count=len(found)), by_words)
        rows = rows[self._ids[rows] != DEAD]
        word_scores = (
            np.asarray((words[rows] @ query.T).todense()).ravel().astype(np.float32)
            if query is not None and len(rows)
            else np.zeros(len(rows), dtype=np.float32)
        )
        if vector is None:
            return rows, word_scores, None
        meaning = np.full(len(rows), -1.0, dtype=np.float32)  # unknown: a closed case the file left out
        from_file = []
        for i, row in enumerate(rows.tolist()):
            if row in found:
                meaning[i] = found[row]
            elif row in dense_pos:
                meaning[i] = float(matrix[dense_pos[row]] @ vector)
            else:
                from_file.append(i)
        if from_file:
            picked = rows[from_file]
            keys = ann.key_of(self._types[picked], self._ids[picked])
            for i, stored in zip(from_file, mapped.vectors(keys), strict=True):
                if stored is not None:
                    meaning[i] = float(stored @ vector / (np.linalg.norm(stored) or 1.0))
        return rows, word_scores, meaning


def capped_postings(words: sp.csr_matrix) -> sp.csc_matrix:
    """`words` by term (an inverted index), each term's list cut to its MAX_POSTINGS heaviest rows: a term
    in more rows than that has a small weight (its IDF), and the rows it would add are found by others."""
    postings = words.tocsc()
    lengths = np.diff(postings.indptr)
    long_terms = np.flatnonzero(lengths > MAX_POSTINGS)
    if not len(long_terms):
        return postings
    keep = np.ones(postings.nnz, dtype=bool)
    for term in long_terms.tolist():
        start, end = postings.indptr[term], postings.indptr[term + 1]
        lightest = np.argpartition(-postings.data[start:end], MAX_POSTINGS)[MAX_POSTINGS:]
        keep[start + lightest] = False
    term_of = np.repeat(np.arange(postings.shape[1]), lengths)[keep]
    return sp.csc_matrix(
        (postings.data[keep], (postings.indices[keep], term_of)), shape=postings.shape, dtype=np.float32
    )


def word_candidates(
    query: sp.csr_matrix, words: sp.csr_matrix, postings: sp.csc_matrix | None, postings_rows: int
) -> np.ndarray:
    """The WORD_CANDIDATES rows sharing the most weight with `query`, read from the query terms' capped
    postings lists and from the rows appended since they were built: never every row."""
    rows_hit: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if postings is not None:
        for term, weight in zip(query.indices.tolist(), query.data.tolist(), strict=True):
            if term >= postings.shape[1]:
                continue
            start, end = postings.indptr[term], postings.indptr[term + 1]
            rows_hit.append(postings.indices[start:end])
            weights.append(postings.data[start:end] * weight)
    tail = words[postings_rows:]
    if tail.shape[0]:
        scores = np.asarray((tail @ query.T).todense()).ravel()
        hit = np.flatnonzero(scores)
        rows_hit.append(hit + postings_rows)
        weights.append(scores[hit])
    if not rows_hit:
        return np.zeros(0, dtype=np.int64)
    all_rows, all_weights = np.concatenate(rows_hit), np.concatenate(weights)
    unique, inverse = np.unique(all_rows, return_inverse=True)
    totals = np.bincount(inverse, weights=all_weights)
    if len(unique) > WORD_CANDIDATES:
        unique = unique[np.argpartition(-totals, WORD_CANDIDATES)[:WORD_CANDIDATES]]
    return unique.astype(np.int64)


_index = VectorIndex()


def vector_index() -> VectorIndex:
    """This process's index."""
    return _index
