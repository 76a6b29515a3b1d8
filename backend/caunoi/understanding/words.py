"""The words half: TF-IDF over folded one- and two-word terms, hashed, and at scale in files every process maps.

Terms are hashed into FEATURES columns (scikit-learn's HashingVectorizer) instead of being numbered by a
learned vocabulary: a vocabulary of the one- and two-word terms of 1.2M texts is a Python dictionary of
millions of strings in every process (most of the 1.4 GiB the words half took per process), while a hashed
column needs nothing but the text. At 2^22 columns two of the few hundred thousand real terms rarely share
one; when they do, both weigh as the rarer one's sum. The weights are scikit-learn's TfidfVectorizer's
(sublinear tf, smoothed idf, rows of unit length), computed here from the counts.

The files (written by `manage.py build_semantic_index` beside the HNSW file, ann.py): the rows of every live
object sorted by key (object id × 2 + type), their TF-IDF rows (CSR), the idf of each column, and the
postings (CSC: for each column its rows, heaviest first, at most MAX_POSTINGS). numpy maps them read-only
(`mmap_mode="r"`), so a machine's processes share one copy in the page cache and a process starts without
reading a row. They live in a directory of their own named in the HNSW file's JSON beside it: a new build
writes a new directory, and a process that still maps the old one keeps reading it until its next check.

Why files and not PostgreSQL full-text with a LIMIT: ranking a term's rows by their TF-IDF weight needs the
weights (ts_rank is computed per matching row: 60k rows for a common word), and the words half would then
cost a query per lookup on the busiest table; the files answer from memory, in the process, bounded by
MAX_POSTINGS a term. Measured in ARCHITECTURE.md "Understanding text".
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from .fusion import STOP_SYLLABLES

FEATURES = 2**22
MAX_POSTINGS = 5_000  # rows a term's postings list keeps (the heaviest): a term in more weighs little
WORD_CANDIDATES = 200
# How far down each query term's list (heaviest first) the candidates are read. At 1.2M rows, 2,000 found
# the perturbed row itself for 299/300 queries (5,000: 300/300, 1,000: 298/300) at a fifth of 5,000's time
# (tests/bench/semantic_scale_bench.py); the files keep MAX_POSTINGS, so this can grow without a rebuild.
CANDIDATE_DEPTH = 2_000
_PARTS = ("keys", "idf", "row_indptr", "row_indices", "row_data", "post_indptr", "post_rows", "post_data")

_hasher = HashingVectorizer(
    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regular expression, not a password)
    ngram_range=(1, 2),
    stop_words=sorted(STOP_SYLLABLES),
    n_features=FEATURES,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


def counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Each text's term counts (folded texts in, as stored in Embedding.terms)."""
    if not len(texts):
        return sp.csr_matrix((0, FEATURES), dtype=np.float32)
    return _hasher.transform(texts).tocsr()


def idf_of(term_counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of every column, as TfidfVectorizer computes it."""
    documents = term_counts.shape[0]
    frequency = np.bincount(term_counts.indices, minlength=FEATURES)
    return (np.log((1.0 + documents) / (1.0 + frequency)) + 1.0).astype(np.float32)


def weigh(term_counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """TF-IDF rows of unit length: (1 + log tf) × idf, normalised."""
    weighted = term_counts.astype(np.float32, copy=True)
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    weighted.data /= np.repeat(norms, np.diff(weighted.indptr)).astype(np.float32)
    return weighted


@dataclass(frozen=True)
class Weights:
    """The idf learned from a collection: turns texts into TF-IDF rows."""

    idf: np.ndarray

    @classmethod
    def fit(cls, texts: Sequence[str]) -> tuple[Weights, sp.csr_matrix]:
        term_counts = counts(texts)
        weights = cls(idf_of(term_counts))
        return weights, weigh(term_counts, weights.idf)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return weigh(counts(texts), self.idf)


@dataclass(frozen=True)
class WordsFile:
    """The mapped files of one build: rows sorted by key, their TF-IDF rows, idf and capped postings."""

    directory: Path
    keys: np.ndarray
    idf: np.ndarray
    row_indptr: np.ndarray
    row_indices: np.ndarray
    row_data: np.ndarray
    post_indptr: np.ndarray
    post_rows: np.ndarray
    post_data: np.ndarray

    @property
    def weights(self) -> Weights:
        return Weights(self.idf)

    def __len__(self) -> int:
        return len(self.keys)

    def candidates(self, query: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(keys, weight shared with `query` through the capped postings) of at most WORD_CANDIDATES rows,
        read from the query terms' lists only: never every row."""
        rows_hit, weights = [], []
        for term, weight in zip(query.indices.tolist(), query.data.tolist(), strict=True):
            start, end = int(self.post_indptr[term]), int(self.post_indptr[term + 1])
            end = min(end, start + CANDIDATE_DEPTH)
            if end > start:
                rows_hit.append(self.post_rows[start:end])
                weights.append(self.post_data[start:end] * weight)
        if not rows_hit:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float32)
        unique, inverse = np.unique(np.concatenate(rows_hit), return_inverse=True)
        totals = np.bincount(inverse, weights=np.concatenate(weights))
        if len(unique) > WORD_CANDIDATES:
            best = np.argpartition(-totals, WORD_CANDIDATES)[:WORD_CANDIDATES]
            unique, totals = unique[best], totals[best]
        return np.asarray(self.keys[unique]), totals.astype(np.float32)

    def scores(self, keys: np.ndarray, query: sp.csr_matrix) -> np.ndarray:
        """The exact TF-IDF cosine of each of `keys` with `query` (0 for a key not in the file)."""
        out = np.zeros(len(keys), dtype=np.float32)
        if not len(keys) or not len(self.keys):
            return out
        rows = np.searchsorted(self.keys, keys)
        present = rows < len(self.keys)
        present[present] = self.keys[rows[present]] == keys[present]
        which = np.flatnonzero(present)
        starts, ends = self.row_indptr[rows[which]], self.row_indptr[rows[which] + 1]
        lengths = (ends - starts).astype(np.int64)
        if not lengths.sum():
            return out
        # The candidates' TF-IDF rows gathered from the mapped arrays in one step (a few hundred rows).
        owner = np.repeat(np.arange(len(which)), lengths)
        at = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(starts, lengths)
        terms, data = self.row_indices[at], self.row_data[at]
        order = np.argsort(query.indices)
        query_terms, query_data = query.indices[order], query.data[order]
        position = np.minimum(np.searchsorted(query_terms, terms), len(query_terms) - 1)
        shared = query_terms[position] == terms if len(query_terms) else np.zeros(len(terms), dtype=bool)
        products = np.where(shared, data * query_data[position] if len(query_terms) else 0.0, 0.0)
        out[which] = np.bincount(owner, weights=products, minlength=len(which))
        return out


def open_words(directory: Path | None, current: WordsFile | None) -> WordsFile | None:
    """The files of `directory` mapped (`current` again when it is the same), None when missing."""
    if directory is None:
        return None
    if current is not None and current.directory == directory:
        return current
    try:
        parts = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in _PARTS}
    except (FileNotFoundError, ValueError):
        return None  # removed by a newer build meanwhile: the next check maps that one
    return WordsFile(directory, **parts)


def write_words(parent: Path, keys: np.ndarray, texts: Sequence[str]) -> Path:
    """Writes the words files of the rows `keys` (object id × 2 + type) with their folded `texts` into a new
    directory under `parent`; returns it. Older directories are left for the caller to remove."""
    order = np.argsort(keys, kind="stable")
    keys = np.asarray(keys, dtype=np.uint64)[order]
    weights, rows = Weights.fit([texts[i] for i in order.tolist()]) if len(keys) else (None, None)
    if rows is None or weights is None:
        rows, idf = sp.csr_matrix((0, FEATURES), dtype=np.float32), np.ones(FEATURES, dtype=np.float32)
    else:
        idf = weights.idf
    rows.sort_indices()
    post_indptr, post_rows, post_data = capped_postings(rows)
    directory = Path(tempfile.mkdtemp(dir=parent, prefix="words-"))
    parts = {
        "keys": keys,
        "idf": idf,
        "row_indptr": rows.indptr.astype(np.int64),
        "row_indices": rows.indices.astype(np.int32),
        "row_data": rows.data.astype(np.float32),
        "post_indptr": post_indptr,
        "post_rows": post_rows,
        "post_data": post_data,
    }
    for name, array in parts.items():
        np.save(directory / f"{name}.npy", array)
    os.chmod(directory, 0o755)  # noqa: S103 (read by every web process; mkdtemp makes it 0700)
    return directory


def capped_postings(rows: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inverted index of `rows`: for each column its rows, heaviest first, at most MAX_POSTINGS (a term
    in more rows has a small idf, and the rows it would add are found by the query's other terms)."""
    columns = rows.indices
    row_of = np.repeat(np.arange(rows.shape[0], dtype=np.int32), np.diff(rows.indptr))
    order = np.lexsort((-rows.data, columns))  # by column, then heaviest first
    columns, row_of, data = columns[order], row_of[order], rows.data[order]
    starts = np.searchsorted(columns, np.arange(FEATURES + 1))
    rank = np.arange(len(columns)) - starts[columns]
    keep = rank < MAX_POSTINGS
    lengths = np.bincount(columns[keep], minlength=FEATURES)
    indptr = np.zeros(FEATURES + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return indptr, row_of[keep].astype(np.int32), data[keep].astype(np.float32)


def remove_old(parent: Path, keep: set[Path]) -> None:
    """Removes the words directories of older builds but those in `keep` (a process mapping one keeps its
    pages: the files are unlinked, not overwritten)."""
    for directory in parent.glob("words-*"):
        if directory.is_dir() and directory not in keep:
            shutil.rmtree(directory, ignore_errors=True)


def meta_words(meta: dict[str, object], parent: Path) -> Path | None:
    name = meta.get("words")
    return parent / str(name) if name else None


def dumps_meta(seq: int, count: int, words: Path | None) -> str:
    return json.dumps({"seq": seq, "count": count, "words": words.name if words else None})
