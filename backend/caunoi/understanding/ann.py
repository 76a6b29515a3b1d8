"""The meaning half at scale: usearch's HNSW graph over the stored vectors, in a file every process maps.

Brute force over every vector in every process costs ≈ 0.5 s a lookup and 1.7 GiB a process at 1M published
items + 200k open cases. Here a task (`manage.py build_semantic_index`, then `update_semantic_index` on the
beat) writes the vectors of the live objects (open cases that are not duplicates, published items) into one
usearch file, int8-quantised (cosine), with the highest `seq` it covers beside it (a small JSON file). Each
process memory-maps that file read-only (`view`: its pages are shared between a machine's processes) and
holds in memory only the rows written after that `seq` (index.py): a rewritten text's new vector there
takes precedence over its old one in the file. The update task loads the file, removes the keys of objects
closed, linked or unpublished since, replaces the rewritten ones, adds the new ones and swaps the file in
atomically; processes notice the new file at their next check.

While no file exists (a small installation, the tests) index.py stays exact brute force.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connections
from usearch.index import Index

from caunoi.core.replica import read_alias

from . import words as words_files
from .embedder import DIM, MODEL_NAME, from_bytes
from .words import WordsFile

TYPES = ("case", "item")  # a key is object_id * 2 + the type's position here
BATCH = 20_000
CONNECTIVITY = 16
EXPANSION_ADD = 128

# Live objects: what the lookups may offer (similar.py filters again against the database at answer time).
_LIVE = """
    (e.object_type = 'case' AND EXISTS (SELECT 1 FROM cases_case c WHERE c.id = e.object_id
        AND c.closed_at IS NULL AND c.duplicate_of_id IS NULL))
    OR (e.object_type = 'item' AND EXISTS (SELECT 1 FROM publication_publisheditem p WHERE p.id = e.object_id
        AND p.status = 'published'))
"""


def key_of(type_code: int | np.ndarray, object_id: int | np.ndarray) -> np.ndarray:
    return np.asarray(object_id, dtype=np.uint64) * 2 + np.asarray(type_code, dtype=np.uint64)


def index_path() -> Path:
    return Path(settings.SEMANTIC_INDEX_DIR) / f"meaning-{MODEL_NAME}.usearch"


def _meta_path() -> Path:
    return index_path().with_suffix(".json")


def new_index() -> Index:
    return Index(
        ndim=DIM,
        metric="cos",
        dtype="i8",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=settings.SEMANTIC_HNSW_EXPANSION,
    )


@dataclass(frozen=True)
class MeaningFile:
    """A memory-mapped index file, the words files written with it (words.py) and the highest `seq` both
    cover."""

    index: Index
    seq: int
    words: WordsFile
    stamp: tuple[int, int]  # (inode, mtime_ns) of the file: a new one is mapped when it changes

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys and cosine similarities of the (approximately) k nearest vectors."""
        if not len(self.index):
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float32)
        found = self.index.search(vector.astype(np.float32), k)
        return np.asarray(found.keys, dtype=np.uint64), 1.0 - np.asarray(found.distances, dtype=np.float32)

    def vectors(self, keys: np.ndarray) -> list[np.ndarray | None]:
        if not len(keys):
            return []
        found = self.index.get(keys, dtype="f32")
        if isinstance(found, tuple):
            return list(found)
        return [found] if found is None or found.ndim == 1 else list(found)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


def open_file(current: MeaningFile | None) -> MeaningFile | None:
    """The index file mapped, `current` again when it has not changed, None when there is none."""
    path = index_path()
    stamp = _stamp(path)
    if stamp is None:
        return None
    if current is not None and current.stamp == stamp:
        return current
    try:
        meta = json.loads(_meta_path().read_text())
        seq = int(meta["seq"])
        index = Index.restore(str(path), view=True)
    except (FileNotFoundError, ValueError, KeyError, RuntimeError):
        return current  # half written by another host's task: the next check maps it
    words = words_files.open_words(words_files.meta_words(meta, path.parent), None)
    if index is None or words is None:
        # Not written by this version (no words files beside it) or replaced meanwhile: the update task
        # builds it again; until then, or until the next check, what was mapped (or brute force) answers.
        return current
    index.expansion_search = settings.SEMANTIC_HNSW_EXPANSION  # type: ignore[misc]  # a setter at run time
    return MeaningFile(index, seq, words, stamp)


def _rows(where: str, params: list[Any]) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """(keys, float32 vectors, highest seq) of the stored vectors matching `where`, in batches by seq."""
    after = 0
    while True:
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(
                "SELECT e.object_type, e.object_id, e.vector, e.seq FROM understanding_embedding e "  # noqa: S608
                f"WHERE e.seq > %s AND e.model = %s AND ({where}) ORDER BY e.seq LIMIT %s",
                [after, MODEL_NAME, *params, BATCH],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        keys = key_of(np.array([TYPES.index(r[0]) for r in rows]), np.array([r[1] for r in rows]))
        after = rows[-1][3]
        yield keys, np.stack([from_bytes(r[2]) for r in rows]), after
        if len(rows) < BATCH:
            return


def _highest_seq() -> int:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute("SELECT coalesce(max(seq), 0) FROM understanding_embedding WHERE model = %s", [MODEL_NAME])
        return int(cursor.fetchone()[0])


def write(index: Index, seq: int, words: Path) -> Path:
    """Saves `index` as the index file covering rows up to `seq`, with the words files written in the
    directory `words` (words.write_words), atomically (readers map either build)."""
    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, save in (
        (path, lambda name: index.save(name)),
        (_meta_path(), lambda name: Path(name).write_text(words_files.dumps_meta(seq, len(index), words))),
    ):
        # The file first, then its seq: a reader seeing the new file with the old seq re-reads a few rows.
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=".building-")
        os.close(fd)
        try:
            save(name)
            os.replace(name, target)
        finally:
            if os.path.exists(name):
                os.unlink(name)
    words_files.remove_old(path.parent, keep={words})
    return path


def build_words(seq: int) -> Path:
    """Writes the words files of every live object's folded text up to `seq` (a new directory)."""
    keys: list[np.ndarray] = []
    texts: list[str] = []
    after = 0
    while True:
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(
                "SELECT e.object_type, e.object_id, e.terms, e.seq FROM understanding_embedding e "  # noqa: S608
                f"WHERE e.seq > %s AND e.seq <= %s AND e.model = %s AND ({_LIVE}) ORDER BY e.seq LIMIT %s",
                [after, seq, MODEL_NAME, BATCH],
            )
            rows = cursor.fetchall()
        if rows:
            keys.append(key_of(np.array([TYPES.index(r[0]) for r in rows]), np.array([r[1] for r in rows])))
            texts.extend(r[2] for r in rows)
            after = rows[-1][3]
        if len(rows) < BATCH:
            break
    index_path().parent.mkdir(parents=True, exist_ok=True)
    all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    return words_files.write_words(index_path().parent, all_keys, texts)


def index_build() -> tuple[int, int]:
    """Builds the index file from scratch from every live object's vector: (vectors, seq covered)."""
    seq = _highest_seq()  # rows written during the build are read again by the processes and the next update
    index = new_index()
    for keys, vectors, _last in _rows(f"e.seq <= %s AND ({_LIVE})", [seq]):
        index.add(keys, vectors, threads=settings.SEMANTIC_INDEX_BUILD_THREADS)
    write(index, seq, build_words(seq))
    return len(index), seq


def index_update() -> tuple[int, int, int]:
    """Brings the index file up to date in place (it is built first when missing): adds the vectors written
    since, replaces the rewritten ones, removes the objects no longer live. (added, removed, seq)."""
    current = open_file(None)
    if current is None:  # none yet, or one written without words files
        count, seq = index_build()
        return count, 0, seq
    index = Index.restore(str(index_path()))  # a private copy to change; the mapped one serves meanwhile
    if index is None:  # not a usearch file: start over
        count, seq = index_build()
        return count, 0, seq
    seq = _highest_seq()
    added = removed = 0
    for keys, vectors, _last in _rows("e.seq > %s AND e.seq <= %s", [current.seq, seq]):
        present = keys[index.contains(keys)]
        if len(present):
            removed += int(index.remove(present))
        added += len(keys)
        index.add(keys, vectors, threads=settings.SEMANTIC_INDEX_BUILD_THREADS)
    gone = _no_longer_live()
    present = gone[index.contains(gone)] if len(gone) else gone
    if len(present):
        removed += int(index.remove(present))
    # The words files are written again whole: their idf and capped lists depend on every row, and the
    # rows held in each process between two updates stay few.
    write(index, seq, build_words(seq))
    return added, removed, seq


def _no_longer_live() -> np.ndarray:
    """Keys of objects with a vector that are closed, linked as a duplicate or unpublished."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(
            f"SELECT e.object_type, e.object_id FROM understanding_embedding e WHERE e.model = %s AND NOT ({_LIVE})",  # noqa: S608
            [MODEL_NAME],
        )
        rows = cursor.fetchall()
    if not rows:
        return np.zeros(0, dtype=np.uint64)
    return key_of(np.array([TYPES.index(r[0]) for r in rows]), np.array([r[1] for r in rows]))
