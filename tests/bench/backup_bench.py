"""Benchmark of `manage.py backup` and `restore`, printed as figures (not a test):
`python tests/bench/backup_bench.py`.

A database of its own (`<name>_bench_backup`) gets BACKUP_BENCH_CASES cases (default 200,000) with ten events
each (the report benchmark's generator) and one attachment of 8 KiB per ten cases, files included. It then
times `core.backup.backup` and `core.backup.restore` (into a new, empty database and media folder) against the
bare tools in the same run (pg_dump -Fc, pg_restore, a plain copy of the media folder), prints time and bytes,
and compares every row of every table and every file of the restored copy with the original (goal: 0
differences; the two steps together ≤ 1.5× the bare tools).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT), str(ROOT / "tests" / "bench")]
os.environ.setdefault("REPORT_BENCH_CASES", os.environ.get("BACKUP_BENCH_CASES", "200000"))

import report_bench  # noqa: E402  (reads REPORT_BENCH_CASES when imported)
from benchdb import drop_database, server_dsn, setup_django, use_database  # noqa: E402

CASES = report_bench.TOTAL_CASES
FILE_EVERY = 10
FILE_BYTES = 8 * 1024


def add_attachments(media: Path) -> int:
    from caunoi.cases.models import Attachment, Case

    rows, written = [], 0
    for case_id, received_at in Case.objects.filter(id__lte=CASES, id__gt=0).values_list("id", "received_at"):
        if case_id % FILE_EVERY:
            continue
        content = hashlib.sha256(str(case_id).encode()).digest() * (FILE_BYTES // 32)
        stored = f"{hashlib.sha256(content).hexdigest()[:32]}.pdf"
        name = f"attachments/{received_at:%Y/%m}/{stored}"
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)
        written += len(content)
        rows.append(Attachment(case_id=case_id, file=name, stored_name=stored, original_name="don.pdf",
                               content_type="application/pdf", size=len(content),
                               sha256=hashlib.sha256(content).hexdigest()))  # fmt: skip
    Attachment.objects.bulk_create(rows, batch_size=5000)
    return written


def fingerprint(dsn: str, name: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(f"{dsn} dbname={name}") as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {
            table: db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "  # noqa: S608
                f'FROM "{table}" t'
            ).fetchone()
            for table in tables
        }


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    setup_django()
    from caunoi.core.backup import _tool, backup, restore
    from django.conf import settings

    dsn, name = server_dsn("bench_backup")
    work = Path(tempfile.mkdtemp(prefix="caunoi-backup-bench-"))
    media = work / "media"
    print(f"backup benchmark: {CASES:,} cases, {CASES * report_bench.EVENTS_PER_CASE:,} events, "
          f"{CASES // FILE_EVERY:,} attachments of {FILE_BYTES // 1024} KiB in {name}")  # fmt: skip
    restored_name = f"{name}_restored"
    bare_name = f"{name}_bare"
    try:
        report_bench.create_database(dsn, name)
        print(f"  generated in {report_bench.generate(dsn, name):.0f} s")
        use_database(name)
        print(f"  attachments: {add_attachments(media):,} bytes written")
        database = {**settings.DATABASES["default"], "NAME": name}
        with psycopg.connect(f"{dsn} dbname={name}") as db:
            version = db.info.server_version

        # The bare tools, same data, same run.
        bare = work / "bare"
        bare.mkdir()
        env = {**os.environ, **({"PGPASSWORD": database["PASSWORD"]} if database["PASSWORD"] else {})}
        conninfo = f"{dsn} dbname={name}"
        bare_dump = timed(lambda: subprocess.run([_tool("pg_dump", version), "-Fc", "-f", str(bare / "db.dump"),
                                                  "-d", conninfo], env=env, check=True))  # fmt: skip
        bare_copy = timed(lambda: shutil.copytree(media, bare / "media"))
        with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{bare_name}"')
            server.execute(f'CREATE DATABASE "{bare_name}"')
        bare_restore = timed(lambda: subprocess.run([_tool("pg_restore", version), "--no-owner", "-d",
                                                     f"{dsn} dbname={bare_name}", str(bare / "db.dump")],
                                                    env=env, check=True))  # fmt: skip
        bare_restore += timed(lambda: shutil.copytree(bare / "media", work / "bare-restored-media"))

        folder = work / "backup"
        ours_backup = timed(lambda: backup(folder=folder, database=database, media_root=media))
        with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
            server.execute(f'CREATE DATABASE "{restored_name}"')
        target = {**database, "NAME": restored_name}
        ours_restore = timed(lambda: restore(folder=folder, database=target, media_root=work / "restored-media"))

        before, after = fingerprint(dsn, name), fingerprint(dsn, restored_name)
        row_differences = sum(1 for table in before if before[table] != after.get(table))
        rows = sum(count for count, _ in before.values())
        files = [p.relative_to(media) for p in media.rglob("*") if p.is_file()]
        file_differences = sum(
            1 for f in files if (media / f).read_bytes() != (work / "restored-media" / f).read_bytes()
        )
        print(f"\n  {'':28} {'backup':>9} {'restore':>9} {'bytes':>14}")
        print(f"  {'manage.py backup / restore':28} {ours_backup:9.1f} {ours_restore:9.1f} {folder_bytes(folder):14,}")
        print(f"  {'pg_dump + cp / pg_restore':28} {bare_dump + bare_copy:9.1f} {bare_restore:9.1f} "
              f"{folder_bytes(bare):14,}")  # fmt: skip
        ratio = (ours_backup + ours_restore) / (bare_dump + bare_copy + bare_restore)
        verdict = "met" if ratio <= 1.5 else "NOT met"
        print(f"  backup + restore against the bare tools: {ratio:.2f}× (goal ≤ 1.5×): {verdict}")
        differences = row_differences + file_differences
        verdict = "met" if differences == 0 else "NOT met"
        compared = f"{rows:,} rows in {len(before)} tables and {len(files):,} files compared"
        differ = f"{row_differences} tables and {file_differences} files differ"
        print(f"  {compared}: {differ} (goal 0 differences): {verdict}")
    finally:
        for database_name in (name, restored_name, bare_name):
            drop_database(dsn, database_name)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
