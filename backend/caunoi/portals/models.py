"""The sites one deployment serves: a parent portal and its component sites, told apart by the request's Host.

A component site belongs to an agency subtree (a province's page on the Government portal, a department's
site inside a provincial portal): its home, search and submission form default to that subtree, and what
is published there also appears on its parent with its origin. A request whose host names no site is
served by the default site (`is_default`), or, before any site is configured, by a built-in one covering
every agency.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency
from caunoi.core.models import TimeStampedModel

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #b71c1c."))
host_validator = RegexValidator(
    r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$",
    _("Enter a host name in lower case without scheme, port or path, for example tphcm.chinhphu.vn."),
)


class Portal(TimeStampedModel):
    host = models.CharField(_("host name"), max_length=253, unique=True, validators=[host_validator])
    name = models.CharField(_("title"), max_length=255)
    name_en = models.CharField(_("English title"), max_length=255, blank=True)
    # Empty: the whole country (a parent portal at the top). Otherwise the agency and everything below it.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency subtree"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portals",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent portal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="component_sites",
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#b71c1c", validators=[colour_validator]
    )
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#f9a825", validators=[colour_validator])
    is_default = models.BooleanField(
        _("default site"), default=False, help_text=_("Serves requests whose host names no other site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The single sign-on its login page offers; none: the one in settings (OIDC_ISSUER), if any.
    identity_provider = models.ForeignKey(
        "accounts.IdentityProvider",
        verbose_name=_("single sign-on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # looked up from the per-process copy of the sites, never by provider
    )
    # Stored re-encoded as PNG (portals/logo.py) in the private media; served by portals/views.py.
    logo = models.FileField(_("logo"), upload_to="portal-logos/", blank=True)
    # Part of the logo's URL: a new logo gets a new address, so browsers may cache one for a year.
    logo_digest = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        ordering = ["host"]
        verbose_name = _("portal or component site")
        verbose_name_plural = _("portals and component sites")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="portal_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.host})"

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def clean(self) -> None:
        """What an administrator must get right for the site to be served; each message names its field."""
        from .validation import portal_errors

        errors = portal_errors(self)
        if errors:
            raise ValidationError(errors)
