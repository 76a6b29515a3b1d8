from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "caunoi.deadlines"
    label = "deadlines"
