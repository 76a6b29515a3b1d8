from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caunoi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import lockout  # noqa: F401  (counts failed logins through Django's auth signals)
