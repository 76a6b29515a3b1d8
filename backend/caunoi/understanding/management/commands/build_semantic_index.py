"""`manage.py build_semantic_index`: writes the meaning half's HNSW file (understanding/ann.py) from every
live object's stored vector, or with `--update` brings the existing file up to date (the beat's task does
that every few minutes). Run it once the embeddings exist (`build_embeddings`); until a file exists the
lookups use brute force, which is right for small installations."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from caunoi.understanding import ann


class Command(BaseCommand):
    help = "Builds (or with --update refreshes) the HNSW index file of the embeddings' meaning half."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--update", action="store_true", help="apply the changes since the file was written")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["update"]:
            added, removed, seq = ann.index_update()
            summary = f"{added} vectors added, {removed} removed, up to seq {seq}"
        else:
            count, seq = ann.index_build()
            summary = f"{count} vectors, up to seq {seq}"
        self.stdout.write(f"{ann.index_path()}: {summary} in {time.perf_counter() - started:.1f} s")
