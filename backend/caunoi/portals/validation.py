"""The rules a site's configuration must satisfy, checked in Portal.clean() (so in the admin too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http.request import validate_host
from django.utils.translation import gettext as _

from .theme import MIN_CONTRAST_WITH_WHITE, contrast_with_white

if TYPE_CHECKING:
    from .models import Portal


def portal_errors(portal: Portal) -> dict[str, list[str]]:
    """Messages by field name; empty when the site can be served as configured."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if portal.host and not validate_host(portal.host, settings.ALLOWED_HOSTS):
        add(
            "host",
            _(
                "%(host)s is not in ALLOWED_HOSTS, so requests for it are refused before they reach this site. "
                "Add it to the ALLOWED_HOSTS environment variable of the deployment first."
            )
            % {"host": portal.host},
        )
    parent = portal.parent if portal.parent_id else None
    if parent is not None:
        if _is_own_ancestor(portal, parent):
            add("parent", _("A site cannot be its own parent, directly or through other sites."))
        elif parent.agency_id is not None and not _inside(portal, parent):
            add(
                "agency",
                _("Choose an agency inside the parent site's subtree (%(agency)s or an agency below it).")
                % {"agency": parent.agency.display_name},  # type: ignore[union-attr]
            )
    colour = portal.primary_colour
    if _is_colour(colour) and contrast_with_white(colour) < MIN_CONTRAST_WITH_WHITE:
        add(
            "primary_colour",
            _(
                "White header text on this colour has a contrast of %(ratio).1f:1; "
                "choose a darker colour (at least 4.5:1)."
            )
            % {"ratio": contrast_with_white(colour)},
        )
    return errors


def _is_own_ancestor(portal: Portal, parent: Portal) -> bool:
    seen: set[int] = set()
    node: Portal | None = parent
    while node is not None:
        if (portal.pk is not None and node.pk == portal.pk) or node is portal:
            return True
        if node.pk in seen:  # a loop further up, saved before this check existed
            return True
        seen.add(node.pk)
        node = node.parent if node.parent_id else None
    return False


def _inside(portal: Portal, parent: Portal) -> bool:
    if portal.agency_id is None:
        return False
    return portal.agency.path.startswith(parent.agency.path)  # type: ignore[union-attr]


def _is_colour(value: str) -> bool:
    return len(value) == 7 and value.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in value[1:])
