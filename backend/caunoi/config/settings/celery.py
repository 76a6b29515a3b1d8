"""Celery: broker and result store on Redis; the beat schedule is declared in caunoi.config.celery."""

from caunoi.core.env import env_bool

from .base import REDIS_URL

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that then dies whole (not only its pool process) returns to the queue after this
# long (Redis's default is an hour). It must exceed the longest countdown a task waits for while held
# unacknowledged (retry backoff at most 600 s) and the longest task run, or a task would run twice: tasks are
# idempotent, but a second run is wasted work.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
