from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "caunoi.core"
    label = "core"
