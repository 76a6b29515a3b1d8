"""Import another Cầu Nối instance's published items, keeping their origin (see services/imports.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caunoi.syndication.services.imports import FORMATS, ImportFailed, published_items_import


class Command(BaseCommand):
    help = "Imports published items from another portal's Atom feed or JSON API; re-running updates them in place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            required=True,
            help="e.g. https://other.example/feeds/published.atom or https://other.example/api/v1/published/",
        )
        parser.add_argument("--format", choices=FORMATS, default="atom", dest="fmt")

    def handle(self, *args: Any, source: str, fmt: str, **options: Any) -> None:
        try:
            report = published_items_import(source=source, fmt=fmt)
        except ImportFailed as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{report.origin_portal}: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
        )
        for reason in report.skipped:
            self.stdout.write(f"  skipped: {reason}")
