"""A backup restores to the same rows and files: fill a database through the API, back it up, restore it into
an empty database and compare every row of every table and every stored file."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from caunoi.core.backup import BackupError, backup, restore
from django.core.management import call_command
from django.db import connection

from tests.support import files

pytestmark = pytest.mark.django_db(transaction=True)

CASE = {
    "kind": "feedback",
    "title": "Ô nhiễm tiếng ồn ban đêm",
    "body": "Công trường thi công ban đêm gây ồn ào, ô nhiễm; xin cơ quan kiểm tra.",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
    "email": "cuong@example.vn",
}


@pytest.fixture
def empty_database():
    """A new, empty database on the same server; dropped after the test."""
    settings_dict = dict(connection.settings_dict)
    name = f"caunoi_restore_{uuid.uuid4().hex[:10]}"
    with _server(settings_dict) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    yield {**settings_dict, "NAME": name}
    with _server(settings_dict) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server(settings_dict):
    params = {"dbname": "postgres", "host": settings_dict["HOST"] or None, "port": settings_dict["PORT"] or None,
              "user": settings_dict["USER"] or None, "password": settings_dict["PASSWORD"] or None}  # fmt: skip
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def _fingerprint(settings_dict) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of all its rows (as text, in a stable order), and each sequence."""
    params = {"dbname": settings_dict["NAME"], "host": settings_dict["HOST"] or None,
              "port": settings_dict["PORT"] or None, "user": settings_dict["USER"] or None}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        found = {}
        for table in tables:
            count, digest = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608
            ).fetchone()
            found[table] = (count, digest)
        for (sequence,) in db.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").fetchall():
            found[f"sequence {sequence}"] = (db.execute(f'SELECT last_value FROM "{sequence}"').fetchone()[0], "")  # noqa: S608
        return found


def test_backup_then_restore_gives_back_every_row_and_file(api, reference_data, personas, tmp_path, settings,
                                                          empty_database):  # fmt: skip
    for n in range(3):
        attachments = [files.upload(f"anh-{n}.png", files.png_bytes()), files.upload(f"don-{n}.pdf", files.pdf_bytes())]
        response = api.post("/api/v1/cases/", {**CASE, "title": f"{CASE['title']} {n}", "attachments": attachments},
                            format="multipart")  # fmt: skip
        assert response.status_code == 201, response.content
    source = dict(connection.settings_dict)
    stored = sorted(p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert len(stored) == 6

    summary = backup(folder=tmp_path / "backup")
    assert summary.files == 6 and summary.missing == [] and summary.database_bytes > 0

    restored_media = tmp_path / "restored-media"
    restore(folder=tmp_path / "backup", database=empty_database, media_root=restored_media)

    before, after = _fingerprint(source), _fingerprint(empty_database)
    assert before.keys() == after.keys()
    differences = [table for table in before if before[table] != after[table]]
    assert differences == []
    assert before["cases_case"][0] == 3
    for name in stored:
        assert (restored_media / name).read_bytes() == (Path(settings.MEDIA_ROOT) / name).read_bytes()


def test_restore_refuses_a_database_with_tables_a_damaged_backup_and_a_used_folder(api, reference_data, tmp_path):
    response = api.post("/api/v1/cases/", CASE, format="json")
    assert response.status_code == 201
    folder = tmp_path / "backup"
    backup(folder=folder)

    with pytest.raises(BackupError, match="already has"):
        restore(folder=folder, media_root=tmp_path / "m")  # the live database itself: not empty
    with pytest.raises(BackupError, match="not empty"):
        backup(folder=folder)
    with (folder / "database.dump").open("ab") as dump:
        dump.write(b"x")
    with pytest.raises(BackupError, match="damaged"):
        restore(folder=folder, media_root=tmp_path / "m", replace=True)


def test_the_commands_report_what_they_did_and_fail_clearly(reference_data, tmp_path, capsys):
    call_command("backup", str(tmp_path / "b"))
    assert "backup in" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no readable manifest"):
        call_command("restore", str(tmp_path / "nothing-here"))
