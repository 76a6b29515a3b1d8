"""What a report covers: a set of agency subtrees, and optional kind and category filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from caunoi.agencies.models import Agency, Category


@dataclass(frozen=True)
class Scope:
    """Agencies whose path starts with one of `paths` (an agency and everything below it, rolled up).

    `agency` is the agency chosen, None when the scope is every agency (admins) or a leader's whole reach.
    """

    paths: tuple[str, ...]
    agency: Agency | None = None

    @property
    def everything(self) -> bool:
        return self.paths == ("/",)

    @property
    def like_patterns(self) -> list[str]:
        return [f"{path}%" for path in self.paths]


EVERY_AGENCY = Scope(paths=("/",))


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    category: Category | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def category_id(self) -> int | None:
        return self.category.pk if self.category is not None else None
