from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "caunoi.cases"
    label = "cases"
