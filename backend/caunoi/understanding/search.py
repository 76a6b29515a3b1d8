"""The meaning half of hybrid search: published items nearest a query, for publication.search to fuse.

Only queries with diacritics go to the model: e5 reads "so do" as noise (measured on the evaluation set),
so a query typed without them is left to the lexical search, which folds both sides.
"""

from __future__ import annotations

from caunoi.core.text import vn_fold
from caunoi.publication.models import PublishedItem, Status

from . import embedder
from .index import vector_index
from .models import ObjectType

# A model neighbour this far from the query is not worth fusing in.
SEARCH_MEANING_FLOOR = 0.84


def semantic_ranks(q: str, *, within_path: str = "", limit: int = 50) -> list[int]:
    """Ids of published items nearest `q` in meaning, best first; [] without the model or diacritics."""
    if vn_fold(q) == q.lower() or not embedder.available():
        return []
    neighbours = vector_index().nearest(embedder.embed_one(q), k=limit, object_type=ObjectType.ITEM)
    ids = [n.object_id for n in neighbours if n.score >= SEARCH_MEANING_FLOOR]
    published = PublishedItem.objects.filter(pk__in=ids, status=Status.PUBLISHED)
    if within_path:
        published = published.filter(agency__path__startswith=within_path)
    allowed = set(published.values_list("id", flat=True))
    return [i for i in ids if i in allowed]
