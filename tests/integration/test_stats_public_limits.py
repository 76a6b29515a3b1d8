"""The public statistics (the league page and its API) are rate-limited per address through the abuse
policy, and read from the replica when one is configured."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from caunoi.core.ratelimit import Limit
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_the_league_page_and_api_share_one_limit_per_address(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "statistics": Limit(3, 60)}
    where = address()
    page, api = Client(REMOTE_ADDR=where), APIClient(REMOTE_ADDR=where)
    assert page.get("/agencies/on-time/", {"period": "2026-Q2"}).status_code == 200
    assert api.get("/api/v1/reports/league/", {"period": "2026-Q2"}).status_code == 200
    assert page.get("/agencies/on-time/").status_code == 200
    refused = api.get("/api/v1/reports/league/", {"period": "2026-Q1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert page.get("/agencies/on-time/").status_code == 429
    # Another address is not held back by this one.
    assert Client(REMOTE_ADDR=address()).get("/agencies/on-time/").status_code == 200


def test_the_staff_dashboard_is_not_counted(reference_data, personas, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "statistics": Limit(1, 60)}
    web = Client(REMOTE_ADDR=address())
    web.force_login(personas["admin"])
    assert [web.get("/staff/reports/", {"period": "2026-Q2"}).status_code for _ in range(3)] == [200] * 3


SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.db import OperationalError
    from caunoi.core.replica import reading_for_portal
    from caunoi.reports.periods import parse_period
    from caunoi.reports.stats import stats_league_table
    stats_league_table(period=parse_period("2026-Q2"), min_answered=1)
    print("primary read: ok")
    try:
        with reading_for_portal():
            stats_league_table(period=parse_period("2026-Q2"), min_answered=1)
    except OperationalError as error:
        print("portal read went to:", "caunoi_replica_that_is_not_there" in str(error))
    """
)


def test_the_statistics_read_the_replica_inside_a_portal_view():
    primary = django_settings.DATABASES["default"]
    server = f"postgres://{primary['USER'] or 'postgres'}@{primary['HOST']}:{primary['PORT']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caunoi.config.settings",
        "DATABASE_URL": f"{server}/{primary['NAME']}",
        "DATABASE_REPLICA_URL": f"{server}/caunoi_replica_that_is_not_there",
        "DATABASE_POOL_MAX_SIZE": "0",
        "PYTHONPATH": str(django_settings.BACKEND_DIR),
    }
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False)
    assert "primary read: ok" in result.stdout, result.stderr
    assert "portal read went to: True" in result.stdout, result.stdout + result.stderr
