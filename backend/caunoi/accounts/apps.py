from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "caunoi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from . import lockout  # noqa: F401  (counts failed logins through Django's auth signals)
