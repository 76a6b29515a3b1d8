import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


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
