"""Who may read usage analytics: leaders and administrators, over every site.

The figures hold no personal data (counts of views and of normalised search words), so a leader sees every
site's, as the public sees every site's answers. Officials, moderators and citizens get 404 (not allowed
looks like not found); anonymous visitors are sent to log in by the views' login_required, as for reports.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.core.errors import NotFound

ANALYTICS_ROLES = frozenset({Role.LEADER, Role.ADMIN})


def access_analytics(user: User) -> None:
    """Returns when `user` may read the analytics pages and exports. Raises NotFound otherwise."""
    if not user.is_authenticated:
        raise NotFound(_("Page not found."))
    if not user.is_active:
        raise NotFound(_("Page not found."))
    if user.role not in ANALYTICS_ROLES:
        raise NotFound(_("Page not found."))
