from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caunoi.accounts"
    label = "accounts"
