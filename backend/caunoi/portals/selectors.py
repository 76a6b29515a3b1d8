"""Which site a request is for, read from a per-process copy of the configured sites (no query per request)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from caunoi.agencies.models import Agency
from caunoi.core.versioned_cache import VersionedCache

from .models import Portal


@dataclass(frozen=True)
class PortalSite:
    """A portal as pages see it. `id` is None for the built-in site used before any is configured."""

    id: int | None
    host: str
    name: str
    name_en: str
    agency_id: int | None  # None: every agency
    agency_path: str  # "" when agency_id is None; else the subtree's path prefix ("/1/7/")
    parent_id: int | None
    primary_colour: str
    accent_colour: str

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def is_component(self) -> bool:
        return self.agency_id is not None


BUILT_IN = PortalSite(
    id=None,
    host="",
    name="Cầu Nối",
    name_en="Cầu Nối",
    agency_id=None,
    agency_path="",
    parent_id=None,
    primary_colour="#b71c1c",
    accent_colour="#f9a825",
)


@dataclass(frozen=True)
class SiteTable:
    by_host: dict[str, PortalSite]
    by_id: dict[int, PortalSite]
    default: PortalSite


def _load() -> SiteTable:
    paths = dict(Agency.objects.filter(portals__isnull=False).values_list("pk", "path"))
    sites = [
        (
            portal.is_default,
            PortalSite(
                id=portal.pk,
                host=portal.host,
                name=portal.name,
                name_en=portal.name_en,
                agency_id=portal.agency_id,
                agency_path=paths.get(portal.agency_id, "") if portal.agency_id else "",
                parent_id=portal.parent_id,
                primary_colour=portal.primary_colour,
                accent_colour=portal.accent_colour,
            ),
        )
        for portal in Portal.objects.filter(is_active=True)
    ]
    default = next((site for is_default, site in sites if is_default), BUILT_IN)
    return SiteTable(
        by_host={site.host: site for _, site in sites},
        by_id={site.id: site for _, site in sites if site.id is not None},
        default=default,
    )


site_table = VersionedCache("portals", _load)


def site_for_host(host: str) -> PortalSite:
    """The active site configured for `host` (port and letter case ignored), else the default site."""
    table = site_table.get()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return table.by_host.get(name.lower(), table.default)


def _changed(**kwargs: object) -> None:
    site_table.invalidate()


# An agency moved in the tree changes a site's subtree prefix.
for _model in (Portal, Agency):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"portals-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"portals-{_model.__name__}-delete")
