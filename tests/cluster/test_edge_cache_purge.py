"""nginx's public page cache in deploy/local-cluster: the second anonymous read is nginx's, a visitor with a
session never reads it, and a privacy correction made anywhere is what the very next request sees."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.cluster.support import REPO, Cluster
from tests.cluster.support import cluster as local_cluster
from tests.cluster.test_local_cluster import cluster_database, cluster_redis  # noqa: F401 - fixtures

PUBLISH = """
from caunoi.agencies.models import Agency, Category
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_publish
item = PublishedItem.objects.create(
    slug={slug!r}, kind="question", agency=Agency.objects.order_by("path").first(),
    category=Category.objects.first(), title="Hỏi về lịch tiêm chủng mở rộng",
    question="Xin hỏi lịch tiêm chủng mở rộng tháng này ở phường tổ chức vào ngày nào?",
    answer="Lịch tiêm chủng được niêm yết tại trạm y tế phường.", status=Status.PENDING_REVIEW,
)
item_publish(item=item, by=None)
"""

CORRECT = """
from caunoi.publication.models import PublishedItem
from caunoi.publication.services import item_correct_privately
item = PublishedItem.objects.get(slug={slug!r})
item_correct_privately(item=item, by=None, reason="Lộ thông tin cá nhân", title={title!r})
"""


@pytest.fixture
def cluster(cluster_database: str, cluster_redis: str) -> Iterator[Cluster]:  # noqa: F811
    with local_cluster(database_url=cluster_database, redis_url=cluster_redis) as handle:
        yield handle


def _manage_shell(cluster: Cluster, code: str) -> None:
    env = {**cluster.env, "EDGE_CACHE_PURGE_URLS": f"{cluster.url}/_purge/"}
    done = subprocess.run(
        [sys.executable, str(REPO / "backend" / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.cluster
def test_nginx_serves_public_pages_from_its_cache_and_a_purge_reaches_the_next_request(cluster: Cluster) -> None:
    slug = "lich-tiem-chung-mo-rong"
    _manage_shell(cluster, PUBLISH.format(slug=slug))
    item_path = f"/hoi-dap/{slug}/"
    with httpx.Client(base_url=cluster.url, timeout=30) as client:
        for path in ("/", item_path, "/feeds/published.atom"):
            client.get(path)
            again = client.get(path)
            assert again.status_code == 200, path
            assert again.headers["X-Cache-Status"] == "HIT", path
            assert "set-cookie" not in again.headers, path
        personal = client.get(item_path, cookies={"sessionid": "someone"})
        assert personal.headers["X-Cache-Status"] == "BYPASS"

        new_title = "Tiêu đề đã được sửa để bảo vệ thông tin cá nhân"
        _manage_shell(cluster, CORRECT.format(slug=slug, title=new_title))
        for path in (item_path, "/", "/feeds/published.atom"):
            fresh = client.get(path)
            assert fresh.headers["X-Cache-Status"] != "HIT", path
            assert new_title in fresh.text, path

    # The purge endpoint takes only DELETE, only from the web processes' address.
    assert httpx.get(f"{cluster.url}/_purge/0/", timeout=10).status_code == 403
