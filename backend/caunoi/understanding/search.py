"""The second half of hybrid search: published items nearest a query by the in-process index (the
platform's own word weights and, for queries with diacritics, e5's meaning), for publication.search to fuse
with its full-text ranks. e5 reads a query typed without diacritics ("so do") as noise (measured on the
evaluation set), so such queries use the words alone."""

from __future__ import annotations

from caunoi.core.text import vn_fold
from caunoi.publication.models import PublishedItem, Status

from . import embedder
from .index import vector_index
from .models import ObjectType

SEARCH_MIN_MEANING = 0.86


def semantic_ranks(q: str, *, within_path: str = "", limit: int = 50) -> list[int]:
    """Ids of published items nearest `q` in meaning, best first; [] without the model or diacritics."""
    if not embedder.available():
        return []
    vector = embedder.embed_one(q) if vn_fold(q) != q.lower() else None
    # A search query is short: its meaning alone is worth a place lower down the fused list.
    neighbours = vector_index().nearest(
        text=q, vector=vector, k=limit, object_type=ObjectType.ITEM, min_meaning=SEARCH_MIN_MEANING
    )
    ids = [n.object_id for n in neighbours]
    published = PublishedItem.objects.filter(pk__in=ids, status=Status.PUBLISHED)
    if within_path:
        published = published.filter(agency__path__startswith=within_path)
    allowed = set(published.values_list("id", flat=True))
    return [i for i in ids if i in allowed]
