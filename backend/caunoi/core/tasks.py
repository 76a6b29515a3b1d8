"""What every outbox delivery task shares."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# A delivery task reschedules its row itself when the send fails; only an unreachable database escapes the
# service, and then Celery retries (1 s, 2 s, 4 s … up to 10 minutes apart). Should it give up, the row is
# still pending and its periodic dispatcher queues it again. Acks late: a worker killed mid-task leaves the
# message to another worker, and the row's lock and status make the second run do nothing already done.
DELIVERY_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(ignore_result=True)
def purge_edge_caches_task() -> None:
    """The second edge purge after a public change (caunoi.core.page_cache): a page rendered from the old
    data but stored by nginx after the first purge goes too."""
    from .page_cache import purge_edge_caches

    purge_edge_caches()
