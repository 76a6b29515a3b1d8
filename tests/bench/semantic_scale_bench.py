"""The similar-cases lookup at 1M published items + 200k open cases (issue #20), printed as figures (not a test):
`python tests/bench/semantic_scale_bench.py`; SEMANTIC_SCALE_ITEMS / SEMANTIC_SCALE_CASES set the sizes.

Embedding 1.2M texts with the model is out of reach here (≈ 30 ms a text: ten hours), so the collection is
synthetic: random unit vectors around topic centres for the meaning half (≈ 30 a topic) and texts of
12-24 folded words drawn from the evaluation set's vocabulary (Zipf-weighted) plus rare made-up words, so the
words half sees long postings lists for common words. The queries are indexed rows perturbed: their vector
moved (cosine ≈ 0.9 to the original, as paraphrases are) and a third of their words dropped.

Measured: the HNSW build (usearch, int8, cosine, every core), its file size, recall@10 against exact search on
the perturbed queries; the words files' build (words.py); then, in a fresh process like a web worker: memory
(RSS: private, and file-backed = the mapped files, shared between a machine's processes) after mapping both
and after the lookups, and the in-process lookup (index.py `nearest`: meaning + words + fusion, 40
candidates) p50/p95, whole and by part. With SEMANTIC_SCALE_DATABASE=1 the same number of published items and
open cases are also generated in PostgreSQL (`<database>_semantic_scale`, kept with BENCH_KEEP=1) and the
whole lookup (similar.py `similar_to_text`: the index, the database's filtering of the candidates by primary
key, the reasons) is timed against it (goal p95 ≤ 30 ms).
SEMANTIC_SCALE_REUSE=1 with SEMANTIC_SCALE_DIR reuses an HNSW file built there by an earlier run (the same
synthetic collection: the generator is seeded).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from benchdb import setup_django  # noqa: E402

ITEMS = int(os.environ.get("SEMANTIC_SCALE_ITEMS", "1000000"))
CASES = int(os.environ.get("SEMANTIC_SCALE_CASES", "200000"))
QUERIES = int(os.environ.get("SEMANTIC_SCALE_QUERIES", "300"))
# The words half alone at full size when the HNSW build does not fit in the time (an empty index file).
WORDS_ONLY = os.environ.get("SEMANTIC_SCALE_WORDS_ONLY") == "1"
REUSE = os.environ.get("SEMANTIC_SCALE_REUSE") == "1"
DATABASE = os.environ.get("SEMANTIC_SCALE_DATABASE") == "1"
KEEP = os.environ.get("BENCH_KEEP") == "1"
DIM = 384
DB_BATCH = 50_000
# The database's size may differ from the index's (the HNSW build is what takes long): the lookup's
# database part reads candidates by primary key, whose cost follows the tables' size.
DB_ITEMS = int(os.environ.get("SEMANTIC_SCALE_DB_ITEMS", ITEMS))
DB_CASES = int(os.environ.get("SEMANTIC_SCALE_DB_CASES", CASES))
SERVE_ONLY = os.environ.get("SEMANTIC_SCALE_SERVE_ONLY") == "1"  # measure again what an earlier run built


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def memory_mb() -> dict[str, float]:
    """RSS of this process (MiB): RssAnon is private to it, RssFile the pages of mapped files (the index and
    words files, the libraries), shared with every process mapping them."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


def synthetic_texts(n: int, rng) -> list[str]:
    from caunoi.core.text import vn_fold

    from tests.support.semantic_eval import questions

    vocabulary = sorted({w for q in questions() for w in vn_fold(q.text).replace("?", " ").split() if w.isalpha()})
    rare = [f"tu{n:05d}" for n in range(50_000)]  # names, places, numbers: words few texts share
    words = vocabulary + rare
    weights = 1.0 / (1.0 + rng.permutation(len(vocabulary)))  # Zipf over the real vocabulary
    weights = list(weights / weights.sum() * 0.85) + [0.15 / len(rare)] * len(rare)
    lengths = rng.integers(12, 25, n)
    picks = rng.choice(len(words), size=int(lengths.sum()), p=weights)
    texts, at = [], 0
    for length in lengths.tolist():
        texts.append(" ".join(words[i] for i in picks[at : at + length]))
        at += length
    return texts


def unit(matrix):
    import numpy as np

    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def write_words(workdir: Path, keys, texts: list[str]) -> Path:
    from caunoi.understanding import words

    started = time.perf_counter()
    directory = words.write_words(workdir, keys, texts)
    size = sum(f.stat().st_size for f in directory.iterdir())
    print(
        f"  words files (hashed TF-IDF rows, idf, postings capped at {words.MAX_POSTINGS:,} a term) written in "
        f"{time.perf_counter() - started:.0f} s: {size / 2**20:.0f} MiB",
        flush=True,
    )
    return directory


def build(workdir: Path) -> None:
    import numpy as np
    from caunoi.understanding import ann
    from django.conf import settings

    rng = np.random.default_rng(20)
    total = ITEMS + CASES
    print(f"understanding text at scale: {ITEMS:,} published items + {CASES:,} open cases (synthetic)", flush=True)
    started = time.perf_counter()
    # Texts come in topics of ≈ 30 (cosine ≈ 0.67 within one, ≈ 0 across): the true ten nearest are a
    # topic's, as with questions asked again.
    centres = unit(rng.standard_normal((max(1, total // 30), DIM)).astype(np.float32))
    vectors = np.empty((total, DIM), dtype=np.float32)
    for start in range(0, total, 100_000):
        size = min(100_000, total - start)
        noise = unit(rng.standard_normal((size, DIM)).astype(np.float32))
        vectors[start : start + size] = unit(centres[rng.integers(0, len(centres), size)] + 0.7 * noise)
    texts = synthetic_texts(total, rng)
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    # Rows: items are keys (id, type 1), cases (id, type 0); ids from 1.
    types = np.array([1] * ITEMS + [0] * CASES, dtype=np.int64)
    ids = np.concatenate([np.arange(1, ITEMS + 1), np.arange(1, CASES + 1)])
    keys = ann.key_of(types, ids)

    index = ann.new_index()
    if WORDS_ONLY:
        ann.write(index, seq=total, words=write_words(workdir, keys, texts))
        picked = rng.choice(total, QUERIES, replace=False)
        np.save(workdir / "queries.npy", vectors[picked])
        np.save(workdir / "query_keys.npy", keys[picked])
        query_texts = [" ".join(w for i, w in enumerate(texts[r].split()) if i % 3 != 2) for r in picked.tolist()]
        (workdir / "texts.json").write_text(json.dumps({"texts": texts, "queries": query_texts}))
        print("  words half only: an empty HNSW file (the meaning half is measured at a smaller size)")
        return
    path = ann.index_path()
    if REUSE and path.exists():
        from usearch.index import Index

        index = Index.restore(str(path))
        print(f"  HNSW file of an earlier run reused: {len(index):,} vectors, {path.stat().st_size / 2**20:.0f} MiB")
    else:
        started, cpu = time.perf_counter(), time.process_time()
        index.add(keys, vectors, threads=settings.SEMANTIC_INDEX_BUILD_THREADS)
        build_seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  HNSW built in {build_seconds:.0f} s ({cpu:.0f} s of CPU); saving", flush=True)
        index.save(str(path))
        print(
            f"  HNSW (int8, cosine, M={ann.CONNECTIVITY}, ef_add={ann.EXPANSION_ADD}) built in {build_seconds:.0f} s "
            f"on {os.cpu_count()} shared cores ({cpu:.0f} s of CPU, {total / cpu:,.0f} vectors per CPU second); "
            f"file {path.stat().st_size / 2**20:.0f} MiB",
            flush=True,
        )
    ann.write(index, seq=total, words=write_words(workdir, keys, texts))

    # Queries: indexed rows moved to cosine ≈ 0.9, a third of their words dropped.
    picked = rng.choice(total, QUERIES, replace=False)
    noise = unit(rng.standard_normal((QUERIES, DIM)).astype(np.float32))
    queries = unit(vectors[picked] * 0.9 + noise * 0.436).astype(np.float32)
    query_texts = []
    for row in picked.tolist():
        words = texts[row].split()
        query_texts.append(" ".join(w for i, w in enumerate(words) if i % 3 != 2))
    exact = vectors @ queries.T
    truth = np.argpartition(-exact, 10, axis=0)[:10].T
    for expansion in sorted({64, settings.SEMANTIC_HNSW_EXPANSION, 160}):
        index.expansion_search = expansion
        found = index.search(queries, 10, threads=1)
        recall = statistics.mean(
            len(set(keys[truth[i]].tolist()) & set(found.keys[i].tolist())) / 10 for i in range(QUERIES)
        )
        timings = []
        for q in queries[:100]:
            started = time.perf_counter()
            index.search(q, 40)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"  HNSW search alone, ef={expansion}: recall@10 {recall:.3f} against exact search "
            f"(own row found: {np.mean([keys[picked[i]] in found.keys[i] for i in range(QUERIES)]):.3f}), "
            f"p95 {pct(timings, 95):.2f} ms",
            flush=True,
        )
    del vectors, exact, index
    np.save(workdir / "queries.npy", queries)
    np.save(workdir / "query_keys.npy", keys[picked])
    (workdir / "texts.json").write_text(json.dumps({"texts": texts, "queries": query_texts}))


def serve(workdir: Path) -> None:
    """A web process: maps the index and words files, answers lookups."""
    import gc

    import numpy as np
    from caunoi.core.text import vn_fold
    from caunoi.understanding import ann
    from caunoi.understanding.index import MEANING_CANDIDATES, VectorIndex
    from django.conf import settings

    settings.SEMANTIC_INDEX_CHECK_SECONDS = 10**9  # every row is in the files: nothing to read after them
    from caunoi.understanding import words

    words.CANDIDATE_DEPTH = int(os.environ.get("SEMANTIC_SCALE_DEPTH", words.CANDIDATE_DEPTH))
    print(f"  words candidates read {words.CANDIDATE_DEPTH:,} deep in each term's postings", flush=True)
    data = json.loads((workdir / "texts.json").read_text())
    query_texts = data["queries"]
    del data
    queries = np.load(workdir / "queries.npy")
    own_keys = np.load(workdir / "query_keys.npy").tolist()
    gc.collect()
    before = memory_mb()
    started = time.perf_counter()
    index = VectorIndex()
    index.reset(ann.open_file(None))
    assert index.words_file is not None
    index._checked_at = time.monotonic()
    load_seconds = time.perf_counter() - started
    mapped = memory_mb()
    timings, words_only, parts = [], [], {"meaning (HNSW)": [], "words (postings)": [], "exact scores": []}
    found_own = words_own = 0
    files = index._file

    def keys_of(neighbours) -> set[int]:
        return {int(ann.key_of(ann.TYPES.index(n.object_type), n.object_id)) for n in neighbours}

    for text, vector, own in zip(query_texts, queries, own_keys, strict=True):
        started = time.perf_counter()
        found = index.nearest(text=text, vector=vector, k=40, min_words=0.15, min_meaning=0.88)
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        by_words = index.nearest(text=text, vector=None, k=40, min_words=0.15)
        words_only.append((time.perf_counter() - started) * 1000)
        found_own += own in keys_of(found)
        words_own += own in keys_of(by_words)
        # The parts, timed alone on the same query.
        started = time.perf_counter()
        keys, _similarities = files.search(vector, MEANING_CANDIDATES)
        parts["meaning (HNSW)"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        query = files.words.weights.transform([vn_fold(text)])
        by_words, _shared = files.words.candidates(query)
        parts["words (postings)"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        candidates = np.unique(np.concatenate([keys, by_words]))
        files.words.scores(candidates, query)
        files.vectors(candidates[:50])
        parts["exact scores"].append((time.perf_counter() - started) * 1000)
    gc.collect()
    after = memory_mb()
    print(f"  web process: index and words files mapped in {load_seconds * 1000:.0f} ms (no row read)", flush=True)
    print(
        f"  memory per web process: private (RssAnon) +{mapped['RssAnon'] - before['RssAnon']:.0f} MiB after "
        f"mapping, +{after['RssAnon'] - before['RssAnon']:.0f} MiB after {len(timings)} lookups "
        f"({index.nbytes / 2**20:.1f} MiB of rows held); mapped files resident (RssFile, shared between "
        f"processes) +{after['RssFile'] - before['RssFile']:.0f} MiB",
        flush=True,
    )
    by_part = "; ".join(f"{name} p50 {pct(v, 50):.1f} / p95 {pct(v, 95):.1f}" for name, v in parts.items())
    print(
        f"  in-process lookup (meaning + words + fusion) at {ITEMS:,} items + {CASES:,} cases: "
        f"p50 {pct(timings, 50):.1f} ms, p95 {pct(timings, 95):.1f} ms; by part (ms, timed alone): {by_part}; "
        f"words only (unaccented query) p95 {pct(words_only, 95):.1f} ms; the perturbed row itself among the 40: "
        f"{found_own}/{len(timings)} (words only {words_own}/{len(timings)})",
        flush=True,
    )
    if DATABASE:
        whole_lookup(index, query_texts, queries)


def whole_lookup(index, query_texts: list[str], queries) -> None:
    """similar_to_text against the generated database: what the staff case page runs (its stored vector is
    read by primary key before; measured in semantic_bench.py)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from benchdb import server_dsn, use_database
    from caunoi.cases.models import Case
    from caunoi.understanding import index as index_module
    from caunoi.understanding import similar
    from semantic_bench import lookup_parts, timed_parts

    index_module._index = index  # the process's index: the mapped files above
    _dsn, name = server_dsn("semantic_scale")
    use_database(name)
    for text, vector in zip(query_texts[:10], queries[:10], strict=True):  # warm the connection and caches
        similar.similar_to_text(text, vector=vector, case_scope=Case.objects.all(), agency_id=1, area_id=None)
    parts = timed_parts(similar, ["_nearest", "_load", "_reasons"])
    timings, offered = [], 0
    for text, vector in zip(query_texts, queries, strict=True):
        started = time.perf_counter()
        found = similar.similar_to_text(text, vector=vector, case_scope=Case.objects.all(), agency_id=1, area_id=None)
        timings.append((time.perf_counter() - started) * 1000)
        offered += len(found)
    ok = pct(timings, 95) <= 30
    print(
        f"  whole similar-cases lookup (similar_to_text: index + database + reasons) against {DB_ITEMS:,} items + "
        f"{DB_CASES:,} cases in PostgreSQL: p50 {pct(timings, 50):.1f} ms, p95 {pct(timings, 95):.1f} ms "
        f"(goal p95 ≤ 30 ms): {'met' if ok else 'NOT met'}; by part (ms): {lookup_parts(parts, len(timings))}; "
        f"{offered / len(timings):.1f} suggestions a lookup",
        flush=True,
    )


CASES_SQL = """
INSERT INTO cases_case (
    id, created_at, updated_at, kind, title, body, channel, contact_name, contact_email, contact_phone,
    contact_address, show_name_publicly, consent_to_publish, tracking_code, access_token_hash, status,
    routing_rule, routing_explanation, received_at, clock_started_on, due_explanation, lifecycle_version,
    routing_version, deadline_version, agency_id, category_id, language, stage, held_reason, identity_provider
)
SELECT g, now(), now(), 'question',
       (%(titles)s::text[])[1 + (hashint8extended(g, 1) & 1048575) %% cardinality(%(titles)s::text[])],
       (%(sentences)s::text[])[1 + (hashint8extended(g, 2) & 1048575) %% cardinality(%(sentences)s::text[])] || ' '
           || (%(sentences)s::text[])[1 + (hashint8extended(g, 3) & 1048575) %% cardinality(%(sentences)s::text[])],
       'web', 'Người dân', '', '', '', false, false, 'BM-' || g, '', 'received', '', '{}',
       now() - make_interval(mins => (g %% 200000)::int), current_date, '{}', 1, 1, 1,
       (%(agencies)s::bigint[])[1 + g %% cardinality(%(agencies)s::bigint[])],
       (%(categories)s::bigint[])[1 + g %% cardinality(%(categories)s::bigint[])], 'vi', 1, '', ''
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""


def seed_database() -> None:
    """ITEMS published items and CASES open cases in `<database>_semantic_scale` (ids 1.. as in the files)."""
    import psycopg
    from benchdb import recreate_database, row_count, server_dsn, use_database
    from search_bench import GENERATE, PLACES, SENTENCES, TITLES, VILLAGE_A, VILLAGE_B

    dsn, name = server_dsn("semantic_scale")
    if (
        KEEP
        and row_count(dsn, name, "cases_case") == CASES
        and row_count(dsn, name, "publication_publisheditem") == ITEMS
    ):
        print(f"  database {name} kept from an earlier run", flush=True)
        return
    started = time.perf_counter()
    recreate_database(dsn, name)
    from caunoi.agencies.seed import seed_agencies, seed_categories

    seed_agencies()
    seed_categories()
    use_database(name)
    with psycopg.connect(f"{dsn} dbname={name}", autocommit=True) as conn:
        agencies = [r[0] for r in conn.execute("SELECT id FROM agencies_agency ORDER BY id")]
        categories = [r[0] for r in conn.execute("SELECT id FROM agencies_category ORDER BY id")]
        common = {"agencies": agencies, "categories": categories, "titles": TITLES, "sentences": SENTENCES}
        # Only the primary keys matter to the lookup: the full-text and trigram indexes are dropped while
        # generating (maintaining them row by row takes most of the time) and not built again.
        for index_name in ("published_search_idx", "published_title_trgm_gist", "case_open_folded_trgm_idx"):
            conn.execute(f'DROP INDEX IF EXISTS "{index_name}"')
        for first in range(1, DB_ITEMS + 1, DB_BATCH):
            conn.execute(
                GENERATE,
                {
                    **common,
                    "first": first,
                    "last": min(first + DB_BATCH - 1, ITEMS),
                    "places": PLACES,
                    "village_a": VILLAGE_A,
                    "village_b": VILLAGE_B,
                },
            )
        for first in range(1, DB_CASES + 1, DB_BATCH):
            conn.execute(CASES_SQL, {**common, "first": first, "last": min(first + DB_BATCH - 1, DB_CASES)})
        conn.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [DB_CASES])
        conn.execute("VACUUM ANALYZE cases_case")
        conn.execute("VACUUM ANALYZE publication_publisheditem")
    print(
        f"  database {name}: {ITEMS:,} items + {CASES:,} open cases generated in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def main() -> int:
    os.environ.setdefault("SECRET_KEY", "bench")
    workdir = Path(os.environ.get("SEMANTIC_SCALE_DIR") or tempfile.mkdtemp(prefix="semantic-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)  # a folder named for the run may not exist yet
    os.environ["SEMANTIC_INDEX_DIR"] = str(workdir)
    setup_django()
    if sys.argv[1:] == ["serve"]:
        serve(workdir)
        return 0
    if not SERVE_ONLY:
        build(workdir)
        if DATABASE:
            seed_database()
    code = subprocess.call(
        [sys.executable, "-u", __file__, "serve"], env={**os.environ, "SEMANTIC_SCALE_DIR": str(workdir)}
    )
    if DATABASE and not KEEP:
        from benchdb import drop_database, server_dsn

        drop_database(*server_dsn("semantic_scale"))
    return code


if __name__ == "__main__":
    sys.exit(main())
