"""Answer reuse: the published answers most relevant to a case being drafted (its own agency's first)."""

from __future__ import annotations

from caunoi.cases.models import Case
from caunoi.publication.models import PublishedItem

from .similar import similar_to_text, stored_vector


def reusable_answers(case: Case, *, limit: int = 3) -> list[PublishedItem]:
    """Published answers to questions like this case's, each with `shared` words and `meaning` set."""
    suggestions = similar_to_text(
        f"{case.title} {case.body}",
        include_cases=False,
        agency_id=case.agency_id,
        vector=stored_vector(case),
        limit=limit,
    )
    items = []
    for suggestion in suggestions:
        item = suggestion.obj
        item.shared = suggestion.shared
        item.meaning = suggestion.meaning
        items.append(item)
    return items
