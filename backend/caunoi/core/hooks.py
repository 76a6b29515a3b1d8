"""Named extension points through which an app on a lower floor asks one above it (ARCHITECTURE.md: floors).

`cases` and `publication` must not import the app that understands text (it sits above them), yet the case
page shows its suggestions and search fuses its ranks. The upper app registers a function here in its
`ready()`; the lower one calls `hook.call(...)`, which answers `default` when nothing is registered or the
function fails: a suggestion is an extra, never a reason for a page or a submission to fail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)
R = TypeVar("R")


class Hook(Generic[R]):
    def __init__(self, name: str, default: Callable[[], R]) -> None:
        self.name = name
        self._default = default
        self._function: Callable[..., R] | None = None

    def register(self, function: Callable[..., R]) -> None:
        self._function = function

    def unregister(self) -> None:
        self._function = None

    @property
    def registered(self) -> bool:
        return self._function is not None

    def call(self, *args: Any, **kwargs: Any) -> R:
        if self._function is None:
            return self._default()
        try:
            return self._function(*args, **kwargs)
        except Exception:
            logger.exception("hook %s failed; answering without it", self.name)
            return self._default()


# The staff case page: extra template context (similar cases, routing suggestion, reusable answers).
case_page_context: Hook[dict[str, Any]] = Hook("case_page_context", dict)
# The triage queue: {case id: suggestion} for the cases on one page.
queue_suggestions: Hook[dict[int, Any]] = Hook("queue_suggestions", dict)
# Published search: the ids of published items nearest a query in meaning, best first (fused with lexical ranks).
semantic_item_ranks: Hook[list[int]] = Hook("semantic_item_ranks", list)
# Similar published items for a text (the citizen typing, the public API): a list of (item id, reasons).
similar_published: Hook[list[Any] | None] = Hook("similar_published", lambda: None)
# How often each published item was read ({item id: views}), from the analytics app (above publication).
item_view_counts: Hook[dict[int, int]] = Hook("item_view_counts", dict)
# Intake, when workflows/suggestions allows it: (agency, explanation) from the routing model learned from
# history when it is confident enough, else None (the rules' decision stands).
learned_route: Hook[Any] = Hook("learned_route", lambda: None)
