from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "caunoi.reports"
    label = "reports"
