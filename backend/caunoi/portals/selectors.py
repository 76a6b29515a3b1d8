"""Which site a request is for, read from a per-process copy of the configured sites (no query per request)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from caunoi.agencies.models import Agency
from caunoi.core.versioned_cache import VersionedCache

from .models import Portal
from .theme import theme_version


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
    logo_version: str = ""  # "" when the site has no logo; else part of the logo's URL
    identity_provider_id: int | None = None  # its single sign-on (accounts.IdentityProvider); None: settings'

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_lang(self) -> str:
        """The language `display_name` is written in (for the `lang` attribute)."""
        return "en" if get_language() == "en" and self.name_en and self.name_en != self.name else "vi"

    @property
    def is_component(self) -> bool:
        return self.agency_id is not None

    @property
    def theme_version(self) -> str:
        return theme_version(primary=self.primary_colour, accent=self.accent_colour)

    @property
    def agency_depth(self) -> int:
        """The depth of the subtree's root agency (-1 for the whole country), as `Agency.depth` counts."""
        return self.agency_path.count("/") - 2 if self.agency_path else -1

    @property
    def root_depth(self) -> int:
        """The depth of the top agencies this site lists (0 for the whole country)."""
        return max(self.agency_depth, 0)

    def covers(self, agency_path: str) -> bool:
        return agency_path.startswith(self.agency_path)


BUILT_IN = PortalSite(
    id=None,
    host="",
    name="Cầu Nối",
    name_en="Cầu Nối",
    agency_id=None,
    agency_path="",
    parent_id=None,
    # The colours site.css has built in: the built-in site links no theme stylesheet.
    primary_colour="#0b3a66",
    accent_colour="#1d70b8",
)


@dataclass(frozen=True)
class SiteTable:
    by_host: dict[str, PortalSite]
    by_id: dict[int, PortalSite]
    default: PortalSite
    # Sites with a subtree, deepest first: the first one covering an agency is the most specific.
    deepest_first: tuple[PortalSite, ...] = ()


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
                logo_version=portal.logo_digest if portal.logo else "",
                identity_provider_id=portal.identity_provider_id,
            ),
        )
        for portal in Portal.objects.filter(is_active=True)
    ]
    default = next((site for is_default, site in sites if is_default), BUILT_IN)
    return SiteTable(
        by_host={site.host: site for _, site in sites},
        by_id={site.id: site for _, site in sites if site.id is not None},
        default=default,
        deepest_first=tuple(
            sorted((site for _, site in sites if site.agency_path), key=lambda site: -len(site.agency_path))
        ),
    )


site_table = VersionedCache("portals", _load)


def site_for_host(host: str) -> PortalSite:
    """The active site configured for `host` (port and letter case ignored), else the default site."""
    table = site_table.get()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return table.by_host.get(name.lower(), table.default)


def site_by_id(site_id: int) -> PortalSite | None:
    return site_table.get().by_id.get(site_id)


def origin_site(current: PortalSite, agency_path: str) -> PortalSite | None:
    """The component site below `current` that an item of the agency at `agency_path` comes from (the most
    specific one), or None when the item belongs to `current` itself or to no component site."""
    if not agency_path:
        return None
    for site in site_table.get().deepest_first:
        if len(site.agency_path) <= len(current.agency_path):
            return None  # sorted deepest first: no site further on lies below `current`
        if agency_path.startswith(site.agency_path) and site.agency_path.startswith(current.agency_path):
            return site
    return None


def site_url(site: PortalSite, *, scheme: str, port: str, path: str = "/") -> str:
    """An absolute address on `site`; component sites of one deployment share its scheme and port."""
    default_port = {"http": "80", "https": "443"}.get(scheme)
    netloc = site.host if not port or port == default_port else f"{site.host}:{port}"
    return f"{scheme}://{netloc}{path}"


def site_base_url(site: PortalSite) -> str:
    """The absolute root of `site`, without a trailing slash: PORTAL_BASE_URL for a site covering every
    agency; a component site's own host, with PORTAL_BASE_URL's scheme and port, for one that does not."""
    base = str(settings.PORTAL_BASE_URL).rstrip("/")
    if not site.is_component:
        return base
    parts = urlsplit(base)
    return site_url(site, scheme=parts.scheme, port=str(parts.port or ""), path="")


def site_base_url_of(site_id: int | None) -> str:
    """site_base_url of the active site `site_id`; PORTAL_BASE_URL when it is None, deactivated or gone."""
    site = site_by_id(site_id) if site_id is not None else None
    return site_base_url(site or BUILT_IN)


def site_base_urls() -> dict[str, str]:
    """site_base_url of every active site, by id as text: for SQL that builds links for many cases at once
    (`%(bases)s::jsonb ->> c.site_id::text`, falling back to PORTAL_BASE_URL)."""
    return {str(site_id): site_base_url(site) for site_id, site in site_table.get().by_id.items()}


def covering_site_url(path: str, agency_path: str) -> str:
    """An absolute link to `path` on the most specific component site covering the agency at `agency_path`
    (PORTAL_BASE_URL when none does): links read far from the portal (feeds, posts, partner events) lead a
    citizen to the site with that agency's branding and search."""
    site = origin_site(BUILT_IN, agency_path)
    return site_base_url(site or BUILT_IN) + path


def _changed(**kwargs: object) -> None:
    site_table.invalidate()


# An agency moved in the tree changes a site's subtree prefix.
for _model in (Portal, Agency):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"portals-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"portals-{_model.__name__}-delete")


def site_of(request: object) -> PortalSite:
    """The site a request is for (set by CurrentSiteMiddleware; the built-in one outside a request cycle)."""
    return getattr(request, "portal", None) or BUILT_IN
