"""Backup and restore of the database and the stored files (attachments, portal logos), consistent with each
other: what `manage.py backup` and `manage.py restore` do.

A backup is a folder:
    database.dump   pg_dump's custom format, taken from one exported snapshot
    media/...       every file a row of that snapshot names (FileFields), under its stored name
    manifest.json   when, which server, the dump's and each file's SHA-256, files named but missing

Consistency: the file list is read inside the transaction whose snapshot pg_dump dumps, so the files copied
are exactly those the dumped rows name. Files are never changed in place (an upload gets a new name), so a
file read after the snapshot is the one the row meant; one deleted in between (anonymisation) is listed as
missing in the manifest, and its row's data is gone in the live database anyway.

This is the logical backup a single portal or a test needs; production keeps base backups and WAL archives
for point-in-time recovery as well (deploy/README.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import models

DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an operator."""


@dataclass
class Summary:
    folder: Path
    database_bytes: int = 0
    files: int = 0
    file_bytes: int = 0
    missing: list[str] = field(default_factory=list)


def backup(*, folder: Path, database: dict[str, Any] | None = None, media_root: Path | None = None) -> Summary:
    """Writes a backup of `database` (Django's DATABASES entry; default: the default one) and the files its
    rows name under `media_root` (default MEDIA_ROOT) into the new or empty `folder`.

    Raises BackupError if the folder holds anything, or pg_dump fails (its message included)."""
    database = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder")
    summary = Summary(folder=folder)
    with psycopg.connect(**_libpq(database)) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        server_version = connection.info.server_version
        _run(
            [_tool("pg_dump", server_version), "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={folder / DUMP_NAME}"],
            database,
        )  # fmt: skip
        names = sorted(set(_stored_file_names(connection)))
        connection.rollback()
    files: dict[str, str] = {}
    for name in names:
        source = _inside(media_root, name)
        if not source.is_file():
            summary.missing.append(name)
            continue
        target = _inside(folder / MEDIA_DIR, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        files[name] = _sha256(target)
        summary.files += 1
        summary.file_bytes += target.stat().st_size
    summary.database_bytes = (folder / DUMP_NAME).stat().st_size
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "server_version": server_version,
        "database": {"file": DUMP_NAME, "sha256": _sha256(folder / DUMP_NAME), "bytes": summary.database_bytes},
        "files": files,
        "missing": summary.missing,
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return summary


def restore(
    *, folder: Path, database: dict[str, Any] | None = None, media_root: Path | None = None, replace: bool = False
) -> Summary:
    """Restores a backup folder into `database` (default: the default one) and its files under `media_root`.

    Checks every checksum first. Refuses (BackupError) a database that already has tables, or a different
    file under the same name, unless `replace` (then the database's objects are dropped and re-created and
    files overwritten). Runs pg_restore in one transaction: a failed restore leaves the database as it was."""
    database = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = _verified_manifest(folder)
    with psycopg.connect(**_libpq(database), autocommit=True) as connection:
        server_version = connection.info.server_version
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]  # type: ignore[index]
    if tables and not replace:
        raise BackupError(
            f"the database {database['NAME']!r} already has {tables} tables: restore into an empty database, "
            "or pass --replace to drop and re-create its objects"
        )
    for name, checksum in manifest["files"].items():
        target = _inside(media_root, name)
        if target.exists() and _sha256(target) != checksum and not replace:
            raise BackupError(f"{target} exists with other contents: pass --replace to overwrite it")
    command = [_tool("pg_restore", server_version), "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error", f"--dbname={_conninfo(database)}"]  # fmt: skip
    if replace and tables:
        command += ["--clean", "--if-exists"]
    _run([*command, str(folder / DUMP_NAME)], database, pass_dbname=False)
    summary = Summary(folder=folder, database_bytes=manifest["database"]["bytes"], missing=list(manifest["missing"]))
    for name in manifest["files"]:
        target = _inside(media_root, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_inside(folder / MEDIA_DIR, name), target)
        summary.files += 1
        summary.file_bytes += target.stat().st_size
    return summary


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every concrete FileField of the project's models: where rows name stored files."""
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model, model_field


def _stored_file_names(connection: psycopg.Connection[Any]) -> Iterator[str]:
    for model, file_field in file_fields():
        table, column = model._meta.db_table, file_field.column
        rows = connection.execute(
            f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL AND "{column}" <> %s',  # noqa: S608
            [""],
        )  # identifiers come from model metadata, not from input
        for (name,) in rows:
            yield name


def _verified_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} holds no readable {MANIFEST_NAME}: is it a backup folder? ({exc})") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{folder}: backup format {manifest.get('format')!r}, this version reads {FORMAT_VERSION}")
    if _sha256(folder / DUMP_NAME) != manifest["database"]["sha256"]:
        raise BackupError(f"{folder / DUMP_NAME} does not match its checksum: the backup is damaged")
    for name, checksum in manifest["files"].items():
        path = _inside(folder / MEDIA_DIR, name)
        if not path.is_file() or _sha256(path) != checksum:
            raise BackupError(f"{path} is missing or does not match its checksum: the backup is damaged")
    return manifest


def _inside(root: Path, name: str) -> Path:
    """`root/name`, refusing names that would leave `root` (a damaged or forged manifest)."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"the stored name {name!r} points outside {root}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(database: dict[str, Any]) -> dict[str, Any]:
    params = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return {key: value for key, value in params.items() if value}


def _conninfo(database: dict[str, Any]) -> str:
    # The password travels in PGPASSWORD (see _run), never on a command line other users can read.
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in _libpq(database).items() if k != "password"})


def _run(command: list[str], database: dict[str, Any], *, pass_dbname: bool = True) -> None:
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    if pass_dbname:
        command = [*command, f"--dbname={_conninfo(database)}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _tool(name: str, server_version: int) -> str:
    """The pg_dump / pg_restore for this server: PG_BIN_DIR if set, else one of the server's major version
    (Debian's /usr/lib/postgresql/N/bin, the embedded server's own), else the newest found on PATH. A dump
    must be made by a pg_dump at least as new as the server."""
    major = server_version // 10000
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    try:
        import pgserver  # type: ignore[import-not-found]  # the embedded server, in development only

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    for candidate in candidates:
        if candidate.is_file() and _major_version(candidate) == major:
            return str(candidate)
    found = shutil.which(name)
    if found and _major_version(Path(found)) >= major:
        return found
    raise BackupError(
        f"no {name} for PostgreSQL {major} was found: install postgresql-client-{major} or set PG_BIN_DIR"
    )


def _major_version(binary: Path) -> int:
    result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    digits = "".join(ch if ch.isdigit() or ch == "." else " " for ch in result.stdout).split()
    return int(digits[0].split(".")[0]) if digits else 0
