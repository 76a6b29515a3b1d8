"""GET /metrics: Prometheus metrics for operators, never for the public.

Served to addresses in METRICS_ALLOWED_NETWORKS (default: loopback; in Kubernetes, the pod network the
Prometheus server scrapes from) or to a request bearing `Authorization: Bearer <METRICS_TOKEN>`; everyone else
gets the same 404 as any unknown page. nginx does not pass /metrics on at all (deploy/nginx/caunoi.conf).

Besides request latency (caunoi.core.metrics), each scrape reads, once: the outboxes' depth per kind and
status, open cases past their due date per agency, cases held for moderation, what the abuse controls
did today (refusals per scope, blocks, honeypots), and live dialogue viewers per dialogue (the counts every
ASGI process reports to Redis). It lives in config because it reads every app.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from caunoi.abuse.counters import counts_of
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.core.metrics import registry
from caunoi.core.ratelimit import client_address
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.hub import VIEWER_COUNTS_KEY, viewers_reported
from caunoi.notifications.models import Notification
from caunoi.social.models import SocialPost
from caunoi.syndication.models import Delivery

logger = logging.getLogger(__name__)

OUTBOXES: dict[str, Any] = {"notification": Notification, "webhook": Delivery, "social_post": SocialPost}
VIEWER_KEYS = VIEWER_COUNTS_KEY.format(dialogue_id="*")


class StateCollector:
    """Gauges read from PostgreSQL and Redis at scrape time (the truth is there, not in any one process)."""

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("caunoi_outbox_rows", "Outbox rows per kind and status.", labels=["kind", "status"])
        for kind, model in OUTBOXES.items():
            counts = dict(model.objects.values_list("status").annotate(n=Count("pk")).order_by())
            for status in model.Status.values:
                depth.add_metric([kind, status], counts.get(status, 0))
        yield depth

        overdue = GaugeMetricFamily(
            "caunoi_cases_overdue", "Open cases past their due date, per holding agency.", labels=["agency"]
        )
        rows = (
            Case.objects.filter(closed_at__isnull=True, due_at__lt=clock.now())
            .values_list("agency__code")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for agency, count in rows:
            overdue.add_metric([agency], count)
        yield overdue

        held = GaugeMetricFamily("caunoi_cases_held", "Cases held for moderation (a flood), waiting for release.")
        held.add_metric([], Case.objects.filter(held_at__isnull=False).count())
        yield held

        abuse = GaugeMetricFamily(
            "caunoi_abuse_events_today",
            "What the abuse controls did today (local date): refused:<scope>, blocked, honeypot.",
            labels=["event"],
        )
        for event, count in _abuse_counts().items():
            abuse.add_metric([event], count)
        yield abuse

        viewers = GaugeMetricFamily(
            "caunoi_dialogue_viewers", "Websocket viewers of each live dialogue, all processes.", labels=["dialogue"]
        )
        for dialogue, count in _viewers().items():
            viewers.add_metric([dialogue], count)
        yield viewers


def _abuse_counts() -> dict[str, int]:
    try:
        return counts_of(clock.local_date(clock.now()).isoformat())
    except Exception:
        logger.warning("metrics: abuse counts unavailable", exc_info=True)
        return {}


def _viewers() -> dict[str, int]:
    now, totals = time.time(), {}
    try:
        client = redis_client()
        for key in client.scan_iter(match=VIEWER_KEYS, count=500):
            name = key.decode() if isinstance(key, bytes) else key
            totals[name.rsplit(":", 1)[1]] = viewers_reported(client.hvals(name), now)
    except Exception:
        # Redis down must not fail the scrape: the other metrics say more then.
        logger.warning("metrics: dialogue viewer counts unavailable", exc_info=True)
    return totals


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(registry(StateCollector())), content_type=CONTENT_TYPE_LATEST)


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)
