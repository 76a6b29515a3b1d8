"""Agencies, areas and categories as intake reads them: from a per-process copy, not a query per request.

Intake looks up a category, an area with its ancestors, and agencies on every submission; these tables
change a few times a year. The copy follows every committed change (see core.versioned_cache).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from caunoi.core.versioned_cache import VersionedCache

from .models import Agency, Area, Category


@dataclass(frozen=True)
class ReferenceData:
    categories: dict[str, Category]  # active ones, by slug
    areas: dict[str, Area]  # by code
    area_lineage: dict[int, frozenset[str]]  # area id → the codes of the area and all its ancestors
    agencies: dict[str, Agency]  # active ones, by code
    by_id: dict[type[Model], dict[int, Model]]  # model → id → the same objects, for attaching to rows read alone


def _load() -> ReferenceData:
    areas = list(Area.objects.all())
    categories = list(Category.objects.filter(is_active=True))
    agencies = list(Agency.objects.filter(is_active=True))
    code_by_id = {area.pk: area.code for area in areas}
    return ReferenceData(
        categories={c.slug: c for c in categories},
        areas={area.code: area for area in areas},
        area_lineage={area.pk: frozenset(code_by_id[i] for i in area.ancestor_ids()) for area in areas},
        agencies={a.code: a for a in agencies},
        by_id={
            model: {row.pk: row for row in rows}
            for model, rows in ((Area, areas), (Category, categories), (Agency, agencies))
        },
    )


reference = VersionedCache("reference", _load)


def reference_data() -> ReferenceData:
    return reference.get()


def _changed(**kwargs: object) -> None:
    reference.invalidate()


for _model in (Agency, Area, Category):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"reference-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"reference-{_model.__name__}-delete")
