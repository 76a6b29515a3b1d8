from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "caunoi.dialogues"
    label = "dialogues"
