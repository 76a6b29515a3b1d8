"""The Celery application. Every periodic job is declared in BEAT_SCHEDULE below, with its reason."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caunoi.config.settings")

app = Celery("caunoi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs: name → task and schedule, each with why it runs when it does. (None yet: the deadline
# sweep arrives with the work queue.)
BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
app.conf.beat_schedule = BEAT_SCHEDULE
