"""Prometheus metrics: request latency per route, recorded by a middleware, and the registry /metrics reads.

In a deployment with several processes per container (uvicorn --workers), PROMETHEUS_MULTIPROC_DIR names a
folder the processes share (deploy/entrypoint.sh sets it): each writes its samples there and the process
answering a scrape adds them up. Without it (make run, tests), each process reports its own.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, multiprocess
from prometheus_client.registry import Collector

REQUEST_SECONDS = Histogram(
    "caunoi_http_request_duration_seconds",
    "Time from the request reaching Django to its response, per route pattern, method and status.",
    ["route", "method", "status"],
    # Public pages answer in milliseconds, reports and exports in seconds.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class RequestMetricsMiddleware:
    """Times every request. The label is the URL pattern (`api/v1/cases/<int:pk>/`), never the path itself,
    so a scanner's million different paths are one `unmatched` series."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUEST_SECONDS.labels(route, method, str(response.status_code)).observe(time.perf_counter() - started)
        return response


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def registry(*state: Collector) -> CollectorRegistry:
    """The registry a scrape reads: this process's metrics (or all processes' in multiprocess mode) and the
    `state` collectors, which read shared state (the database, Redis) once per scrape."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
    else:
        scrape = CollectorRegistry(auto_describe=True)
        for collector in list(REGISTRY._collector_to_names):
            scrape.register(collector)
    for collector in state:
        scrape.register(collector)
    return scrape
