from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "caunoi.agencies"
    label = "agencies"
