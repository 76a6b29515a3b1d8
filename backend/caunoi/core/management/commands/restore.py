"""`manage.py restore FOLDER`: a backup made by `manage.py backup`, into an empty database (core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caunoi.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder (database and stored files). The database must be empty unless --replace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a folder written by `manage.py backup`")
        parser.add_argument(
            "--replace", action="store_true", help="drop and re-create the database's objects, overwrite files"
        )

    def handle(self, *args: Any, folder: Path, replace: bool, **options: Any) -> None:
        try:
            summary = restore(folder=folder, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {summary.folder}: database and {summary.files} files ({summary.file_bytes:,} bytes)"
        )
