"""A celery worker killed (SIGKILL) in the middle of a task: the task runs again (acks late) and its effect,
one email, happens exactly once.

The task is the real one: `deliver_notification` for an intake receipt, queued by the outbox dispatcher.
Its email backend (support.DirectoryEmailBackend) takes a few seconds for "slow-" recipients, writing a
"started" marker first, so the test knows which process to kill while the send is under way.
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid

import httpx
import pytest

from tests.cluster import support

pytestmark = pytest.mark.cluster

SEND_SECONDS = 3
TASK = "caunoi.notifications.tasks.deliver_notification"


@pytest.fixture(scope="module")
def stack():
    slow = {support.MAIL_DELAY_VARIABLE: str(SEND_SECONDS), "CAUNOI_CLUSTER_WORKER_CONCURRENCY": "1"}
    with support.stack(extra_env=slow) as (servers, cluster):
        yield servers, cluster


def _submit_slow_receipt(cluster: support.Cluster) -> tuple[str, str]:
    """Submits a case whose receipt goes to a slow recipient; returns (recipient, tracking code)."""
    recipient = f"{support.SLOW_RECIPIENT}{uuid.uuid4().hex[:10]}@example.com"
    with httpx.Client(timeout=30) as client:
        outcome = support.post_case(client, cluster.url, str(uuid.uuid4()), support.submission(1, email=recipient))
    assert outcome.status == 201, outcome
    assert outcome.tracking_code
    return recipient, outcome.tracking_code


def _records(cluster: support.Cluster, kind: str, recipient: str) -> list[dict]:
    return [r for r in support.mail_records(cluster.mail_dir, kind) if r["to"] == [recipient]]


def _receipt_status(cluster: support.Cluster, recipient: str) -> str:
    [(status,)] = support.query(
        cluster.database_url, "SELECT status FROM notifications_notification WHERE recipient = %s", [recipient]
    )
    return str(status)


def test_a_pool_process_killed_mid_task_runs_the_task_again_and_sends_once(stack) -> None:
    _servers, cluster = stack
    recipient, _code = _submit_slow_receipt(cluster)
    [started] = support.wait_for(
        lambda: _records(cluster, "started", recipient), timeout=30, what="the receipt's delivery to start"
    )
    task_id, pool_pid = started["task_id"], started["pid"]
    worker = cluster.pid("worker")
    assert pool_pid in support.children(worker), "the send does not run in a pool process of the worker"
    os.kill(pool_pid, signal.SIGKILL)  # mid-send: the marker is written, the mail is not
    killed_at = time.monotonic()
    assert _records(cluster, "mail", recipient) == []

    support.wait_for(
        lambda: _receipt_status(cluster, recipient) == "sent", timeout=60, what="the receipt to be sent after the kill"
    )
    print(f"\nreceipt sent {time.monotonic() - killed_at:.1f} s after its pool process was killed")
    log = cluster.log("worker")
    # acks late + reject on worker lost: the very message came back and ran to its end in another process.
    received = [m.start() for m in re.finditer(rf"{re.escape(TASK)}\[{re.escape(task_id)}\] received", log)]
    assert len(received) == 2, log[-3000:]
    assert "WorkerLostError" in log[received[0] : received[1]], log[-3000:]
    assert re.search(rf"{re.escape(TASK)}\[{re.escape(task_id)}\] succeeded in [0-9.]+s: '(sent|skipped)'", log)
    assert cluster.pid("worker") == worker  # the worker itself lived on; only its pool process was replaced
    # The effect once: one email, though the send began (at least) twice.
    time.sleep(SEND_SECONDS + 1)  # a second delivery in flight would have written its mail by now
    starts = _records(cluster, "started", recipient)
    assert len(starts) >= 2 and {r["pid"] for r in starts[1:]} != {pool_pid}, starts
    assert len(_records(cluster, "mail", recipient)) == 1


def test_a_worker_killed_whole_mid_task_leaves_its_message_unacked_and_the_email_is_sent_once(stack) -> None:
    """The whole worker (main process and pool) is SIGKILLed: nothing is left to requeue the message, which
    stays in Redis's unacked set, for kombu to restore after the visibility timeout. The outbox does not
    wait for that: the dispatcher queues the pending row again and the restarted worker sends it, once."""
    servers, cluster = stack
    recipient, _code = _submit_slow_receipt(cluster)
    [started] = support.wait_for(
        lambda: _records(cluster, "started", recipient), timeout=30, what="the receipt's delivery to start"
    )
    cluster.kill("worker")  # the process group: main process and pool
    killed_at = time.monotonic()
    assert _records(cluster, "mail", recipient) == []
    import redis

    broker = redis.Redis.from_url(servers.redis_url)
    try:
        unacked = [value.decode() for value in broker.hvals("unacked")]
    finally:
        broker.close()
    assert any(started["task_id"] in message for message in unacked), "the killed task's message was acked"

    cluster.restart("worker")
    support.wait_for(
        lambda: _receipt_status(cluster, recipient) == "sent", timeout=60, what="the receipt to be sent after restart"
    )
    print(f"\nreceipt sent {time.monotonic() - killed_at:.1f} s after the worker was killed (restart included)")
    time.sleep(SEND_SECONDS + 1)
    assert len(_records(cluster, "mail", recipient)) == 1
