"""Benchmark of the published-answers search, printed as figures (not a test): `python tests/bench/search_bench.py`.

A database of its own (`<name>_bench_search`) gets SEARCH_BENCH_ITEMS (default 1,000,000) generated
Vietnamese published items, written by one set-based INSERT per batch (the search vector is a generated
column, so PostgreSQL computes it as rows arrive). For a mix of queries — common syllables, words typed
without diacritics, a rare place name, a phrase, an exclusion, nothing found — it times, in the same run and
in alternating order:

  api    `published_search`, the selector behind GET /api/v1/published/: bounded ranking, a page of 20
         model instances with highlighted snippets, the capped count (and "did you mean" when empty);
  raw    the unranked GIN match alone: `SELECT id ... WHERE search_vector @@ q LIMIT 20`;
  raw_cand  the same with LIMIT search.CANDIDATES: the candidates the API ranks, unranked;
  ilike  what a naive search does: ILIKE on title, question and answer, newest first, with its count.

Goals: api p95 ≤ 3× raw; api ≥ 100× faster than ilike (p50 and p95).

BENCH_KEEP=1 keeps the database and reuses it on the next run. BENCH_REPEAT (default 30) sets how many times
each query is timed for api and raw; ilike runs BENCH_ILIKE_REPEAT times (default 3), it is slow.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from benchdb import drop_database, recreate_database, row_count, server_dsn, setup_django, use_database  # noqa: E402

ITEMS = int(os.environ.get("SEARCH_BENCH_ITEMS", "1000000"))
BATCH = 100_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
ILIKE_REPEAT = int(os.environ.get("BENCH_ILIKE_REPEAT", "3"))
KEEP = os.environ.get("BENCH_KEEP") == "1"

QUERIES = [
    "đất đai",  # common, exact diacritics
    "dat dai",  # the same typed without diacritics
    "của",  # the most common syllable: every item matches
    "học phí",
    "hoc phi mien giam",
    "Mường Nhé",  # a place name in one item in 18
    "thôn Nà Pán",  # a village in about one item in 900
    "thon na pan",
    '"giấy chứng nhận quyền sử dụng đất"',  # a phrase
    'sổ đỏ -"thừa kế"',  # an exclusion
    "xyzzy",  # nothing: "did you mean" runs
]

TITLES = [
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    "Hỏi về miễn giảm học phí cho học sinh",
    "Rác thải tập kết trái phép ở đầu ngõ",
    "Đề nghị sửa chữa đường giao thông nông thôn",
    "Chế độ thai sản khi sinh con thứ hai",
    "Đăng ký thường trú cho con",
    "Cấp đổi giấy phép lái xe quá hạn",
    "Tiếng ồn công trình xây dựng ban đêm",
    "Chuyển mục đích sử dụng đất nông nghiệp",
    "Sổ đỏ thừa kế khi cha mẹ mất",
    "Trợ cấp người cao tuổi ở xã",
    "Hồ sơ xin giấy phép xây dựng nhà ở riêng lẻ",
    "Bảo hiểm y tế cho hộ cận nghèo",
    "Nước thải chảy ra kênh gây ô nhiễm",
    "Thuế thu nhập cá nhân khi bán nhà",
    "Tuyển sinh lớp 10 trường công lập",
]
SENTENCES = [
    "Gia đình tôi sử dụng đất ổn định từ năm 1990, không có tranh chấp với ai.",
    "Xin hỏi hồ sơ gồm những giấy tờ gì và nộp ở đâu?",
    "Nhiều ngày nay rác thải sinh hoạt bị đổ bừa bãi, gây mùi hôi và mất vệ sinh.",
    "Con đường qua thôn bị hư hỏng nặng sau mùa mưa, học sinh đi lại rất khó khăn.",
    "Tôi muốn biết thời hạn giải quyết và lệ phí phải nộp là bao nhiêu.",
    "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết dứt điểm.",
    "Vợ tôi sinh con thứ hai vào tháng trước, công ty chưa giải quyết chế độ.",
    "Cha mẹ tôi mất không để lại di chúc, anh em muốn làm thủ tục thừa kế sổ đỏ.",
    "Căn cứ Luật Đất đai năm 2024 và các văn bản hướng dẫn thi hành.",
    "Hồ sơ nộp tại bộ phận tiếp nhận và trả kết quả của Ủy ban nhân dân cấp xã.",
    "Thời hạn giải quyết không quá mười lăm ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Học sinh thuộc hộ nghèo, hộ cận nghèo được miễn giảm học phí theo quy định.",
    "Ủy ban nhân dân xã đã kiểm tra thực tế và yêu cầu chủ công trình khắc phục.",
    "Người dân có thể tra cứu kết quả trên Cổng dịch vụ công quốc gia.",
    "Trường hợp chưa rõ, đề nghị liên hệ Phòng Tài nguyên và Môi trường để được hướng dẫn.",
    "Mức hưởng bằng một trăm phần trăm mức bình quân tiền lương tháng đóng bảo hiểm xã hội.",
    "Việc cấp giấy chứng nhận quyền sử dụng đất được thực hiện theo trình tự thủ tục hành chính.",
    "Cơ quan thuế sẽ thông báo số tiền phải nộp trong thời hạn năm ngày làm việc.",
    "Nhà trường công bố chỉ tiêu tuyển sinh trên trang thông tin điện tử của Sở.",
    "Đơn vị thi công phải bảo đảm an toàn giao thông và vệ sinh môi trường.",
]
# Village names: one syllable of each list, so each of the 900 names is in about one item in 900.
VILLAGE_A = [
    "Nà",
    "Bản",
    "Khe",
    "Pác",
    "Lũng",
    "Cốc",
    "Phiêng",
    "Huổi",
    "Nậm",
    "Tà",
    "Sảng",
    "Mỏ",
    "Pò",
    "Lùng",
    "Ngàm",
    "Xín",
    "Thẩm",
    "Co",
    "Hát",
    "Bó",
    "Kéo",
    "Nặm",
    "Pù",
    "Làng",
    "Vàng",
    "Tổng",
    "Chiềng",
    "Nong",
    "Mù",
    "Ta",
]
VILLAGE_B = [
    "Pán",
    "Lìu",
    "Mạ",
    "Hồng",
    "Tấu",
    "Sáng",
    "Cọ",
    "Hin",
    "Khoang",
    "Lay",
    "Mòn",
    "Phầy",
    "Pủng",
    "Tòng",
    "Vai",
    "Xa",
    "Chải",
    "Đon",
    "Giàng",
    "Háng",
    "Lếch",
    "Nhùng",
    "Quang",
    "Sà",
    "Tỉnh",
    "Ún",
    "Vạc",
    "Xôm",
    "Ỏ",
    "Yên",
]
PLACES = [
    "xã Tân Lập",
    "phường Ngọc Hà",
    "xã Mường Nhé",
    "thôn Đông",
    "xã Hòa Bình",
    "phường Bến Nghé",
    "xã Ea Kar",
    "xã Sìn Hồ",
    "phường Hải Châu",
    "xã Phú Lộc",
    "thị trấn Đồng Văn",
    "xã Quảng Điền",
    "xã Lộc Ninh",
    "phường Vĩnh Tuy",
    "xã Kim Bôi",
    "xã Cần Giờ",
    "phường Tân Định",
    "xã Bình Chánh",
]

# One statement per batch. Independent pseudo-random draws (hashes of g with different seeds) pick the title,
# the place (1 in 18 items mentions each; "Mường Nhé" is one of them), two sentences of question and three of
# answer, the agency, category, kind, and the publication date over the last three years.
GENERATE = """
WITH g AS (
    SELECT g, array[hashint8extended(g, 1) & 2147483647, hashint8extended(g, 2) & 2147483647,
                    hashint8extended(g, 3) & 2147483647, hashint8extended(g, 4) & 2147483647,
                    hashint8extended(g, 5) & 2147483647, hashint8extended(g, 6) & 2147483647,
                    hashint8extended(g, 7) & 2147483647, hashint8extended(g, 8) & 2147483647,
                    hashint8extended(g, 9) & 2147483647, hashint8extended(g, 10) & 2147483647] AS h
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
), s AS (
    SELECT g, h, %(sentences)s::text[] AS sn, %(titles)s::text[] AS tn, %(places)s::text[] AS pn,
           %(village_a)s::text[] AS va, %(village_b)s::text[] AS vb,
           now() - make_interval(mins => (h[10] %% (3 * 365 * 24 * 60))::int) AS published_at
    FROM g
)
INSERT INTO publication_publisheditem (
    slug, kind, agency_id, category_id, title, question, answer, asker_display, source_title,
    source_question, source_answer, received_at, answered_at, published_at, due_at, status, origin_portal,
    origin_id, origin_url, origin_agency_name, source_ref, created_at, updated_at
)
SELECT 'muc-' || g,
       (ARRAY['question', 'feedback', 'petition'])[1 + h[1] %% 3],
       (%(agencies)s::bigint[])[1 + h[2] %% cardinality(%(agencies)s::bigint[])],
       (%(categories)s::bigint[])[1 + h[3] %% cardinality(%(categories)s::bigint[])],
       tn[1 + h[4] %% cardinality(tn)] || ' ở ' || pn[1 + h[5] %% cardinality(pn)],
       sn[1 + h[6] %% cardinality(sn)] || ' ' || sn[1 + h[7] %% cardinality(sn)]
           || ' Tôi ở thôn ' || va[1 + (h[6] / 7) %% cardinality(va)] || ' '
           || vb[1 + (h[7] / 7) %% cardinality(vb)] || ', ' || pn[1 + h[5] %% cardinality(pn)] || '.',
       sn[1 + h[8] %% cardinality(sn)] || ' ' || sn[1 + h[9] %% cardinality(sn)] || ' '
           || sn[1 + (h[8] + h[9]) %% cardinality(sn)],
       '', '', '', '',
       published_at - interval '20 days', published_at - interval '1 day', published_at,
       published_at + interval '1 day', 'published', '', '', '', '', '', published_at, published_at
FROM s
"""


def database_is_ready(dsn: str, name: str) -> bool:
    """With BENCH_KEEP=1, a database left by an earlier run is reused if it holds the full data set."""
    return row_count(dsn, name, "publication_publisheditem") == ITEMS


def create_database(dsn: str, name: str) -> None:
    recreate_database(dsn, name, "publication")  # publication and what it stands on, nothing else
    from caunoi.agencies.seed import seed_agencies, seed_categories

    seed_agencies()
    seed_categories()
    from django.db import connection

    connection.close()


def generate(dsn: str, name: str) -> None:
    with psycopg.connect(f"{dsn} dbname={name}", autocommit=True) as conn:
        agencies = [r[0] for r in conn.execute("SELECT id FROM agencies_agency ORDER BY id")]
        categories = [r[0] for r in conn.execute("SELECT id FROM agencies_category ORDER BY id")]
        started = time.perf_counter()
        # Building the indexes once at the end is several times faster than maintaining them row by row.
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'publication_publisheditem' "
            "AND indexname IN ('published_search_idx', 'published_title_trgm_gist')"
        ).fetchall()
        for index_name, _definition in indexes:
            conn.execute(f'DROP INDEX "{index_name}"')
        for first in range(1, ITEMS + 1, BATCH):
            last = min(first + BATCH - 1, ITEMS)
            conn.execute(
                GENERATE,
                {
                    "first": first,
                    "last": last,
                    "agencies": agencies,
                    "categories": categories,
                    "titles": TITLES,
                    "sentences": SENTENCES,
                    "places": PLACES,
                    "village_a": VILLAGE_A,
                    "village_b": VILLAGE_B,
                },
            )
            print(f"  {last:>9,} items ({time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute("SET maintenance_work_mem = '256MB'")
        for _index_name, definition in indexes:
            conn.execute(definition)
        print(f"  indexes built ({time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute("VACUUM ANALYZE publication_publisheditem")
        words = conn.execute(
            "INSERT INTO publication_searchword (word, folded, frequency) "
            "SELECT word, vn_unaccent(word), count(*) FROM ("
            "  SELECT lower(regexp_split_to_table(t, '[^[:alpha:]]+')) AS word FROM unnest(%s::text[]) AS t"
            ") w WHERE length(word) >= 2 GROUP BY word ON CONFLICT (word) DO NOTHING",
            [TITLES + PLACES],
        ).rowcount
        size = conn.execute("SELECT pg_size_pretty(pg_relation_size('published_search_idx'))").fetchone()
        print(
            f"  generated in {time.perf_counter() - started:.0f} s; GIN index {size[0] if size else '?'}; "
            f"{words} vocabulary words"
        )


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(dsn: str, name: str) -> None:
    from caunoi.publication.search import CANDIDATES, SearchFilters, published_search
    from django.db import connection

    raw_sql = (
        "SELECT id FROM publication_publisheditem WHERE status = 'published' AND search_vector @@ "
        "(websearch_to_tsquery('simple', %s) || websearch_to_tsquery('simple', vn_unaccent(%s))) LIMIT 20"
    )
    raw_candidates_sql = raw_sql.replace("LIMIT 20", f"LIMIT {CANDIDATES}")
    ilike_sql = (
        "SELECT id FROM publication_publisheditem WHERE status = 'published' AND "
        "(title ILIKE %s OR question ILIKE %s OR answer ILIKE %s) ORDER BY published_at DESC LIMIT 20"
    )
    ilike_count = (
        "SELECT count(*) FROM publication_publisheditem WHERE status = 'published' AND "
        "(title ILIKE %s OR question ILIKE %s OR answer ILIKE %s)"
    )
    times: dict[str, list[float]] = {"api": [], "raw": [], "raw_cand": [], "ilike": []}
    per_query: list[tuple[str, float, float, float, float, int]] = []
    with psycopg.connect(f"{dsn} dbname={name}", autocommit=True) as raw:
        for q in QUERIES:
            published_search(q=q, filters=SearchFilters())  # warm the caches once per query
            got: dict[str, list[float]] = {"api": [], "raw": [], "raw_cand": []}
            for i in range(REPEAT):
                runs = [
                    ("api", lambda q=q: published_search(q=q, filters=SearchFilters())),
                    ("raw", lambda q=q: raw.execute(raw_sql, [q, q]).fetchall()),
                    ("raw_cand", lambda q=q: raw.execute(raw_candidates_sql, [q, q]).fetchall()),
                ]
                for label, run in runs if i % 2 == 0 else reversed(runs):
                    got[label].append(timed(run))
            api_t, raw_t, raw_cand_t, ilike_t = got["api"], got["raw"], got["raw_cand"], []
            pattern = "%" + q.strip('"').split(" -")[0] + "%"
            for _ in range(ILIKE_REPEAT):
                ilike_t.append(
                    timed(
                        lambda pattern=pattern: (
                            raw.execute(ilike_sql, [pattern] * 3).fetchall(),
                            raw.execute(ilike_count, [pattern] * 3).fetchone(),
                        )
                    )
                )
            total = published_search(q=q, filters=SearchFilters()).total
            times["api"] += api_t
            times["raw"] += raw_t
            times["raw_cand"] += raw_cand_t
            times["ilike"] += ilike_t
            per_query.append(
                (q, *(statistics.median(t) for t in (api_t, raw_t, raw_cand_t, ilike_t)), total)  # type: ignore[arg-type]
            )
    connection.close()

    print(f"\n{'query (p50 of each)':<38} {'api':>9} {'raw':>9} {'raw_cand':>9} {'ilike':>10} {'matches':>8}")
    for q, a, r, rc, il, total in per_query:
        print(f"{q:<38} {a:>7.1f}ms {r:>7.1f}ms {rc:>7.1f}ms {il:>8.0f}ms {total:>8}")
    p = {label: (percentile(values, 50), percentile(values, 95)) for label, values in times.items()}
    print(f"\nall queries, {ITEMS:,} items, {CANDIDATES} ranked candidates:")
    print(f"  api       p50 {p['api'][0]:8.1f} ms   p95 {p['api'][1]:8.1f} ms")
    for label, what in (("raw", "first 20 matches"), ("raw_cand", f"first {CANDIDATES} matches, what api ranks")):
        print(
            f"  {label:<9} p50 {p[label][0]:8.1f} ms   p95 {p[label][1]:8.1f} ms   "
            f"api/{label} p50 {p['api'][0] / p[label][0]:5.1f}×, p95 {p['api'][1] / p[label][1]:5.1f}× "
            f"(goal p95 ≤ 3×; unranked {what}) {verdict(p['api'][1] / p[label][1] <= 3)}"
        )
    print(
        f"  ilike     p50 {p['ilike'][0]:8.0f} ms   p95 {p['ilike'][1]:8.0f} ms   "
        f"ilike/api p50 {p['ilike'][0] / p['api'][0]:5.0f}×, p95 {p['ilike'][1] / p['api'][1]:5.0f}× (goal ≥ 100×) "
        f"{verdict(p['ilike'][1] / p['api'][1] >= 100)}"
    )


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> int:
    setup_django()
    dsn, name = server_dsn("bench_search")
    print(f"search over {ITEMS:,} published items in {name}")
    if KEEP and database_is_ready(dsn, name):
        print("  reusing the database from an earlier run (BENCH_KEEP=1)")
        use_database(name)
    else:
        create_database(dsn, name)
        generate(dsn, name)
        use_database(name)
    try:
        measure(dsn, name)
    finally:
        if not KEEP:
            drop_database(dsn, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
