"""With DATABASE_REPLICA_URL set, reads inside public portal views go to the replica; everything else, and
every write, goes to the primary. Without it, everything goes to the primary."""

import os
import subprocess
import sys
import textwrap

import pytest
from caunoi.core.replica import ReplicaRouter, portal_read, reading_for_portal
from caunoi.publication.models import PublishedItem
from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.db import OperationalError
    from caunoi.accounts.models import User
    from caunoi.core.replica import reading_for_portal
    User.objects.exists()
    print("primary read: ok")
    try:
        with reading_for_portal():
            User.objects.exists()
    except OperationalError as error:
        print("portal read went to:", "caunoi_replica_that_is_not_there" in str(error))
    """
)


@pytest.mark.django_db
def test_portal_reads_reach_the_replica_and_the_rest_the_primary():
    primary = settings.DATABASES["default"]
    server = f"postgres://{primary['USER'] or 'postgres'}@{primary['HOST']}:{primary['PORT']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caunoi.config.settings",
        "DATABASE_URL": f"{server}/{primary['NAME']}",
        "DATABASE_REPLICA_URL": f"{server}/caunoi_replica_that_is_not_there",
        "DATABASE_POOL_MAX_SIZE": "0",
        "PYTHONPATH": str(settings.BACKEND_DIR),
    }
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False)
    assert "primary read: ok" in result.stdout, result.stderr
    assert "portal read went to: True" in result.stdout, result.stdout + result.stderr


def test_the_router_sends_only_marked_reads_to_a_configured_replica(settings):
    router = ReplicaRouter()
    assert router.db_for_read(PublishedItem) == "default"
    with reading_for_portal():
        assert router.db_for_read(PublishedItem) == "default"  # no replica configured
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    with reading_for_portal():
        assert router.db_for_read(PublishedItem) == "replica"
        assert router.db_for_write(PublishedItem) is None
    assert router.db_for_read(PublishedItem) == "default"
    assert router.allow_migrate("replica", "publication") is False

    seen = []
    portal_read(lambda: seen.append(router.db_for_read(PublishedItem)))()
    assert seen == ["replica"]
