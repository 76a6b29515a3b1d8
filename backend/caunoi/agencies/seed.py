"""Reference data: the administrative areas of Vietnam and a demonstration agency tree.

Every function is idempotent: run again, it changes only what differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from vietnam_provinces import Province, Ward

from .models import Agency, Area, Category
from .reference import reference

COUNTRY_CODE = "vn"


def province_code(number: int) -> str:
    return f"tinh-{number:02d}"


def ward_code(number: int) -> str:
    return f"xa-{number:05d}"


def _insert_children(parent: Area, rows: Iterable[dict[str, Any]]) -> int:
    """Creates the missing areas below `parent` in two bulk statements (insert, then set their paths)."""
    existing = set(Area.objects.filter(parent=parent).values_list("code", flat=True))
    new = [Area(parent=parent, path="", **row) for row in rows if row["code"] not in existing]
    if not new:
        return 0
    created = Area.objects.bulk_create(new, batch_size=1000)
    for node in created:
        node.path = f"{parent.path}{node.pk}/"
        node.depth = parent.depth + 1
    Area.objects.bulk_update(created, ["path", "depth"], batch_size=1000)
    reference.invalidate()  # bulk writes send no signals
    return len(created)


@transaction.atomic
def seed_areas() -> int:
    """Vietnam's 34 provinces and 3,321 communes after the 2025 reform (from the vietnam-provinces package)."""
    country, _ = Area.objects.get_or_create(
        code=COUNTRY_CODE, defaults={"name": "Việt Nam", "name_en": "Viet Nam", "kind": Area.Kind.COUNTRY}
    )
    provinces = list(Province.iter_all())
    count = _insert_children(
        country,
        ({"code": province_code(p.code.value), "name": p.name, "kind": Area.Kind.PROVINCE} for p in provinces),
    )
    by_code = {a.code: a for a in Area.objects.filter(parent=country)}
    wards_by_province: dict[str, list[dict[str, Any]]] = {}
    for ward in Ward.iter_all():
        wards_by_province.setdefault(province_code(ward.province_code.value), []).append(
            {"code": ward_code(ward.code.value), "name": ward.name, "kind": Area.Kind.COMMUNE}
        )
    for code, rows in wards_by_province.items():
        count += _insert_children(by_code[code], rows)
    return count


@dataclass(frozen=True)
class AgencySeed:
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None


DEMO_AGENCIES = (
    AgencySeed("CP", "Chính phủ", "The Government", Agency.Level.NATIONAL, None),
    AgencySeed("VPCP", "Văn phòng Chính phủ", "Government Office", Agency.Level.MINISTRY, "CP"),
    AgencySeed(
        "VPCP-TIEPNHAN",
        "Bộ phận tiếp nhận phản ánh, kiến nghị — Văn phòng Chính phủ",
        "Intake desk for feedback and petitions — Government Office",
        Agency.Level.UNIT,
        "VPCP",
    ),
    AgencySeed("BO-NNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment", Agency.Level.MINISTRY, "CP"),
    AgencySeed("BO-GDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training", Agency.Level.MINISTRY, "CP"),
    AgencySeed("UBND-HN", "Ủy ban nhân dân Thành phố Hà Nội", "Ha Noi People's Committee", Agency.Level.PROVINCE, "CP"),
    AgencySeed("SO-NNMT-HN", "Sở Nông nghiệp và Môi trường Hà Nội", "Ha Noi Department of Agriculture and Environment", Agency.Level.DEPARTMENT, "UBND-HN"),
    AgencySeed("SO-XD-HN", "Sở Xây dựng Hà Nội", "Ha Noi Department of Construction", Agency.Level.DEPARTMENT, "UBND-HN"),
    AgencySeed("UBND-P-HOANKIEM", "Ủy ban nhân dân phường Hoàn Kiếm", "Hoan Kiem Ward People's Committee", Agency.Level.COMMUNE, "UBND-HN"),
    AgencySeed("UBND-P-BADINH", "Ủy ban nhân dân phường Ba Đình", "Ba Dinh Ward People's Committee", Agency.Level.COMMUNE, "UBND-HN"),
)  # fmt: skip

DEMO_CATEGORIES = (
    ("dat-dai", "Đất đai", "Land"),
    ("moi-truong", "Môi trường", "Environment"),
    ("xay-dung", "Xây dựng, đô thị", "Construction and urban order"),
    ("giao-duc", "Giáo dục", "Education"),
    ("giao-thong", "Giao thông", "Transport"),
    ("y-te", "Y tế", "Health"),
    ("thu-tuc-hanh-chinh", "Thủ tục hành chính", "Administrative procedures"),
    ("khac", "Lĩnh vực khác", "Other"),
)


@transaction.atomic
def seed_agencies(seeds: Iterable[AgencySeed] = DEMO_AGENCIES) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for seed in seeds:
        parent = agencies[seed.parent] if seed.parent else None
        agency = Agency.objects.filter(code=seed.code).first() or Agency(code=seed.code)
        agency.name, agency.name_en, agency.level, agency.parent = seed.name, seed.name_en, seed.level, parent
        agency.save()
        agencies[seed.code] = agency
    return agencies


@transaction.atomic
def seed_categories() -> None:
    for slug, name, name_en in DEMO_CATEGORIES:
        Category.objects.update_or_create(slug=slug, defaults={"name": name, "name_en": name_en})
