import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from caunoi.core.models import TimeStampedModel


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OFFICIAL = "official", _("Official")
    LEADER = "leader", _("Leader")
    MODERATOR = "moderator", _("Moderator")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.OFFICIAL, Role.LEADER, Role.MODERATOR, Role.ADMIN})


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox's untyped reverse relation
    """A person with an account. Officials and leaders also belong to agencies (agencies.Membership)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    @classmethod
    def normalize_username(cls, username: str) -> str:
        """Django's normal form, and an email address (a citizen's username) in lower case, since people type
        their address in any case. Django applies it when accounts are made (create_user, admin forms); the
        login backend applies it to what is typed."""
        name = str(super().normalize_username(username)).strip()
        return name.lower() if "@" in name else name

    def get_full_name(self) -> str:
        """Family and middle names, then the given name: the Vietnamese order (last_name holds the first two)."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def works_cases(self) -> bool:  # also read from templates: the work queue's link in the navigation
        """Officials, leaders and admins have a work queue of cases."""
        return self.is_authenticated and self.is_active and self.role in {Role.OFFICIAL, Role.LEADER, Role.ADMIN}


class ApiToken(AbstractAuthToken):
    """An API token for one named device (django-rest-knox, KNOX_TOKEN_MODEL): only a SHA-512 digest of the
    token is stored, with its first 15 characters to find it (`token_key`) and its expiry. A new login from a
    device replaces that device's token (one row per user and device name); the user revokes a device on
    /accounts/devices/ or through the API, an administrator in the admin."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # names it in URLs
    name = models.CharField(_("device"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_one_per_device")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


class PartnerKey(models.Model):
    """An API key for a partner portal's server, which relays many citizens' submissions from one address:
    its requests are limited per key (its own `rate_limit`, or RATE_LIMITS["<scope>:partner"]) instead of
    per address, and everything it does is written to its use log (`PartnerKeyUse`).

    The key is shown once, when issued; only its SHA-256 digest is stored, with its public prefix to find it
    (`cnk_<prefix>_<secret>`). A key does not log anyone in: it names the client, not a person."""

    name = models.CharField(_("partner"), max_length=200)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Requests per period as count/seconds, e.g. 600/3600. Empty: the default for partners."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class PartnerKeyUse(models.Model):
    """One request made with a partner key: append-only, written after the answer."""

    key = models.ForeignKey(PartnerKey, on_delete=models.CASCADE, related_name="uses", verbose_name=_("key"))
    at = models.DateTimeField(_("at"))
    method = models.CharField(max_length=8)
    path = models.CharField(_("address"), max_length=300)
    route = models.CharField(_("route"), max_length=100, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer"))
    # What the request created or touched, when the answer names it (a new case's tracking code).
    object_ref = models.CharField(_("object"), max_length=60, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("partner key use")
        verbose_name_plural = _("partner key uses")
        indexes = [models.Index(fields=["key", "-at"], name="partner_key_use_idx")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.method} {self.path} {self.status_code}"


class IdentityProvider(TimeStampedModel):
    """An OpenID Connect provider people may log in with (VNeID, or a province's own sign-on), as an
    administrator configures it; each portal site names the one its login page offers (portals.Portal). The
    endpoints and signing keys are read from the issuer's discovery document, never typed in here."""

    name = models.CharField(
        _("name on the button"), max_length=60, help_text=_("Shown as “Log in with …”, for example VNeID.")
    )
    issuer = models.URLField(
        _("issuer"),
        max_length=255,
        help_text=_("Exactly as the provider names itself; /.well-known/openid-configuration is read below it."),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    # Kept in the database like the social channels' tokens: administrators change it without a deploy.
    client_secret = models.CharField(_("client secret"), max_length=255, blank=True)
    scopes = models.CharField(_("scopes"), max_length=255, default="openid profile email")
    level_claim = models.CharField(
        _("identity level claim"),
        max_length=60,
        default="acr",
        help_text=_("The ID token claim that says how surely the person was identified (VNeID level 1 or 2)."),
    )
    level_values = models.JSONField(
        _("identity levels by claim value"),
        default=dict,
        blank=True,
        help_text=_('For values that are not plain numbers, for example {"urn:vneid:loa:2": 2}.'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("identity provider (single sign-on)")
        verbose_name_plural = _("identity providers (single sign-on)")

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class ExternalIdentity(TimeStampedModel):
    """A person as a provider knows them: the issuer's `sub`, which the provider promises never to reuse, is
    the only thing an account is found by when they log in there (never an e-mail address, which a provider
    may not have checked). One account may hold several; one (issuer, sub) belongs to one account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    provider_name = models.CharField(_("provider"), max_length=60)
    # The level the provider asserted at the last login through it (None: it said nothing).
    last_level = models.PositiveSmallIntegerField(_("identity level at last login"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked identity")
        verbose_name_plural = _("linked identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_one_account"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_name}: {self.subject}"
