"""`manage.py backup FOLDER`: the database and the stored files, consistent with each other (core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caunoi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the stored files (attachments, logos) into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new or empty folder to write the backup into")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            summary = backup(folder=folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup in {summary.folder}: database {summary.database_bytes:,} bytes, "
            f"{summary.files} files ({summary.file_bytes:,} bytes)"
        )
        if summary.missing:
            self.stderr.write(f"{len(summary.missing)} files named by rows were already gone: listed in the manifest")
