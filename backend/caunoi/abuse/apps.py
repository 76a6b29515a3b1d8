from django.apps import AppConfig


class AbuseConfig(AppConfig):
    name = "caunoi.abuse"
    label = "abuse"
    verbose_name = "Abuse control"
