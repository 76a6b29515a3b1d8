"""/metrics: Prometheus metrics for operators (request latency per route, outbox depth, overdue cases per
agency, dialogue viewers), served to the monitoring network or a bearer token and to nobody else."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
from caunoi.cases.models import Case
from caunoi.core.redis_client import redis_client
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

CASE = {
    "kind": "question",
    "title": "Hỏi về cấp sổ đỏ",
    "body": "Xin hỏi hồ sơ cấp sổ đỏ lần đầu gồm những gì?",
    "category": "dat-dai",
    "area": "tinh-01",
    "name": "Nguyễn Văn A",
    "email": "a@example.vn",
}


def sample(text: str, name: str, **labels: str) -> float | None:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_operators_read_latency_queue_depth_overdue_cases_and_viewers(web, api, reference_data):
    response = api.post("/api/v1/cases/", CASE, format="json")
    assert response.status_code == 201
    case = Case.objects.get(tracking_code=response.json()["tracking_code"])
    Case.objects.filter(pk=case.pk).update(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    redis_client().hset(
        "caunoi:dlg-viewers:4242", mapping={"web1": f"120:{time.time():.0f}", "web2": f"30:{time.time():.0f}"}
    )
    assert web.get("/healthz").status_code == 200
    assert web.get("/khong-co-trang-nay/\u00e9t").status_code == 404

    response = web.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert sample(text, "caunoi_http_request_duration_seconds_count", route="healthz", method="GET", status="200") >= 1
    assert sample(text, "caunoi_http_request_duration_seconds_count", route="unmatched", method="GET", status="404")
    assert "/khong-co-trang-nay" not in text  # paths never become labels
    assert sample(text, "caunoi_outbox_rows", kind="notification", status="pending") >= 1  # the receipt
    assert sample(text, "caunoi_outbox_rows", kind="webhook", status="failed") == 0
    assert sample(text, "caunoi_cases_overdue", agency=case.agency.code) == 1
    assert sample(text, "caunoi_dialogue_viewers", dialogue="4242") == 150
    redis_client().delete("caunoi:dlg-viewers:4242")


@pytest.mark.parametrize(
    ("address", "forwarded", "authorization", "status"),
    [
        ("203.0.113.5", None, None, 404),  # the public
        ("203.0.113.5", None, "Bearer wrong", 404),
        ("203.0.113.5", None, "Bearer s3cret-token", 200),  # a scraper outside the network, with the token
        ("10.1.2.3", None, None, 200),  # the monitoring network
        ("127.0.0.1", "203.0.113.5", None, 404),  # the public through the trusted proxy
    ],
)
def test_only_the_monitoring_network_or_the_token_reads_metrics(
    web, settings, address, forwarded, authorization, status
):
    import ipaddress

    settings.METRICS_TOKEN = "s3cret-token"
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    settings.TRUSTED_PROXY_COUNT = 1 if forwarded else 0
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    assert web.get("/metrics", **headers).status_code == status


def test_logs_are_one_json_object_a_line_with_personal_data_scrubbed():
    code = "import logging; logging.getLogger('caunoi.test').warning('gọi lại số 0912345678 giúp tôi')"
    env = {**os.environ, "LOG_FORMAT": "json", "PYTHONPATH": str(django_settings.BACKEND_DIR)}
    result = subprocess.run(
        [sys.executable, str(django_settings.BACKEND_DIR / "manage.py"), "shell", "-c", code],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    [line] = [line for line in result.stderr.splitlines() if "caunoi.test" in line]
    record = json.loads(line)
    assert record["level"] == "WARNING" and record["logger"] == "caunoi.test"
    assert "0912345678" not in line and "gọi lại số" in record["message"]


def test_a_bad_log_format_stops_start_up():
    env = {**os.environ, "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, str(django_settings.BACKEND_DIR / "manage.py"), "check"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "LOG_FORMAT must be plain or json" in result.stderr
