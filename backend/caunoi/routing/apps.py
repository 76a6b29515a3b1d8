from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "caunoi.routing"
    label = "routing"
