"""Shared fixtures: reference data and the named personas every test speaks of.

Tests run against the real PostgreSQL and Redis named by DATABASE_URL and REDIS_URL (make test starts
embedded ones when they are unset).
"""

from __future__ import annotations

import uuid

import pytest
from caunoi.accounts.models import Role, User
from caunoi.accounts.tokens import api_token_issue
from caunoi.agencies.models import Agency, Area, Category, Membership
from caunoi.agencies.seed import COUNTRY_CODE, seed_agencies, seed_categories
from caunoi.core.ratelimit import Limit
from django.test import Client
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    # Every test client comes from 127.0.0.1 and the counters live in the shared Redis: with the production
    # limits, tests would throttle each other. Tests of the limits themselves set their own.
    settings.RATE_LIMITS = {scope: Limit(1_000_000, 60) for scope in settings.RATE_LIMITS}


@pytest.fixture(autouse=True)
def _no_flood_holds(settings):
    # Tests send the same submission many times in seconds, which intake would hold as a flood; the tests of
    # flood control (test_flood_hold.py) turn it back on.
    settings.FLOOD_SIMILAR_COUNT = 0


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    # Tests sign staff in with force_login, which cannot pass a second factor; tests of two-factor login
    # (test_two_factor_login.py) require it again for administrators.
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def _own_login_counters(settings):
    # Every test client logs in from 127.0.0.1 and the failure counters live in the shared Redis for a day:
    # each test counts in its own namespace, so no test makes another wait.
    settings.LOGIN_THROTTLE_PREFIX = f"caunoi:test-login:{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Nor the meaning index file a developer built (understanding/ann.py): without one, lookups are exact.
    settings.SEMANTIC_INDEX_DIR = tmp_path / "semantic-index"
    return settings.MEDIA_ROOT


@pytest.fixture
def areas(db) -> dict[str, Area]:
    """A slice of the real area tree: Việt Nam → Hà Nội → two wards; Quảng Trị."""
    country = Area.objects.create(code=COUNTRY_CODE, name="Việt Nam", kind=Area.Kind.COUNTRY)
    hanoi = Area.objects.create(code="tinh-01", name="Thành phố Hà Nội", kind=Area.Kind.PROVINCE, parent=country)
    quangtri = Area.objects.create(code="tinh-44", name="Quảng Trị", kind=Area.Kind.PROVINCE, parent=country)
    hoankiem = Area.objects.create(code="xa-00070", name="Phường Hoàn Kiếm", kind=Area.Kind.COMMUNE, parent=hanoi)
    badinh = Area.objects.create(code="xa-00004", name="Phường Ba Đình", kind=Area.Kind.COMMUNE, parent=hanoi)
    return {a.code: a for a in (country, hanoi, quangtri, hoankiem, badinh)}


@pytest.fixture
def agencies(db) -> dict[str, Agency]:
    return seed_agencies()


@pytest.fixture
def categories(db) -> dict[str, Category]:
    seed_categories()
    return {c.slug: c for c in Category.objects.all()}


@pytest.fixture
def reference_data(areas, agencies, categories):
    return {"areas": areas, "agencies": agencies, "categories": categories}


def make_user(username: str, role: str, agencies: list[Agency] = ()) -> User:  # type: ignore[assignment]
    user = User.objects.create_user(username=username, password="correct horse 42", role=role)
    for agency in agencies:
        Membership.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def personas(reference_data) -> dict[str, User]:
    """A citizen; an official of agency A (SO-NNMT-HN) and one of agency B (BO-GDDT); a leader of Hà Nội
    (above A); a moderator; an admin."""
    agencies = reference_data["agencies"]
    return {
        "citizen": make_user("citizen", Role.CITIZEN),
        "official_a": make_user("official-a", Role.OFFICIAL, [agencies["SO-NNMT-HN"]]),
        "official_b": make_user("official-b", Role.OFFICIAL, [agencies["BO-GDDT"]]),
        "leader": make_user("leader", Role.LEADER, [agencies["UBND-HN"]]),
        "moderator": make_user("moderator", Role.MODERATOR),
        "admin": make_user("admin", Role.ADMIN),
    }


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User) -> APIClient:
    client = APIClient()
    _row, token = api_token_issue(user=user, device=f"tests-{uuid.uuid4().hex[:8]}")  # each client its own device
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def web() -> Client:
    return Client()


@pytest.fixture(autouse=True)
def _no_league_from_another_test():
    # The public league and the statistics cache closed periods for ever (reports/league.py, stats.py): each
    # test's data is its own.
    from caunoi.core.redis_client import redis_client

    client = redis_client()
    stale = list(client.scan_iter(match="*reports:league:*", count=1000))
    stale += client.scan_iter(match="*reports:stats:*", count=1000)  # closed periods' sums, kept for ever
    if stale:
        client.delete(*stale)


@pytest.fixture(autouse=True)
def _fresh_reference_copies():
    # Each test builds its own agencies and categories, and rolls them back: no copy may outlive it.
    from caunoi.core.versioned_cache import VersionedCache

    for cache in VersionedCache.instances:
        cache.clear()


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright keeps an event loop running in the main thread for the rest of the
    session, and asyncio tests (websocket consumers) cannot start their own loop after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _public_page_cache_off(settings):
    # Tests change data behind the services' backs (rows made directly) and read pages right after: the
    # page cache is off unless a test turns it on (test_public_page_cache.py does, and checks the purges).
    from caunoi.core.page_cache import GENERATION_KEY
    from caunoi.core.redis_client import redis_client

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    redis_client().incr(GENERATION_KEY)  # and no page cached by another test is reachable
