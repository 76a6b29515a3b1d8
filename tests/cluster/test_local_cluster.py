"""deploy/local-cluster end to end: nginx, two uvicorn processes, a celery worker and beat on loopback.

The cluster gets a database of its own (created here on the PostgreSQL server of DATABASE_URL, dropped
afterwards) and a dedicated Redis database: CAUNOI_CLUSTER_REDIS_URL, or db 15 on REDIS_URL's server. That
Redis database is flushed before and after, so it must not be shared with anything else.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis

from tests.cluster.support import SCRIPT, Cluster, members, same_process_alive, shared_test_server_url, with_database
from tests.cluster.support import cluster as local_cluster


@pytest.fixture
def cluster_database() -> Iterator[str]:
    name = f"caunoi_cluster_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(shared_test_server_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(shared_test_server_url(), name)
    finally:
        with psycopg.connect(shared_test_server_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cluster_redis() -> Iterator[str]:
    url = os.environ.get("CAUNOI_CLUSTER_REDIS_URL")
    if not url:
        base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
        url = urlunsplit((base.scheme, base.netloc, "/15", "", ""))
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def _get(url: str) -> tuple[int, dict[str, object]]:
    response = httpx.get(url, timeout=10)
    return response.status_code, response.json()


def _post_json(url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = httpx.post(url, json=payload, headers={"Accept": "application/json"}, timeout=30)
    return response.status_code, response.json()


@pytest.fixture
def cluster(cluster_database: str, cluster_redis: str) -> Iterator[Cluster]:
    with local_cluster(database_url=cluster_database, redis_url=cluster_redis) as handle:
        yield handle


@pytest.mark.cluster
def test_cluster_serves_through_nginx_on_both_processes_and_stops_everything(cluster: Cluster) -> None:
    status, body = _get(f"{cluster.url}/readyz")
    assert (status, body) == (200, {"status": "ok", "database": "ok", "redis": "ok"})

    title = f"Hỏi về cấp sổ đỏ {uuid.uuid4().hex[:8]}"
    status, created = _post_json(
        f"{cluster.url}/api/v1/cases/",
        {
            "kind": "question",
            "title": title,
            "body": "Xin hỏi hồ sơ cấp sổ đỏ lần đầu gồm những gì?",
            "category": "dat-dai",
            "area": "tinh-01",
            "name": "Nguyễn Văn A",
            "email": "a@example.com",
        },
    )
    assert status == 201, created
    assert created["tracking_code"]
    # nginx passes the Host with its port: links built from the request point back through nginx.
    assert str(created["track_url"]).startswith(f"{cluster.url}/"), created["track_url"]
    with psycopg.connect(cluster.database_url.replace("postgres://", "postgresql://", 1)) as connection:
        rows = connection.execute("SELECT tracking_code FROM cases_case WHERE title = %s", [title]).fetchall()
    assert rows == [(created["tracking_code"],)]

    for _ in range(6):
        assert _get(f"{cluster.url}/healthz")[0] == 200
    # nginx's access log names the upstream of every proxied request: round robin reached both processes.
    access = (cluster.run_dir / "nginx-access.log").read_text()
    upstreams = {
        part.removeprefix("upstream=")
        for line in access.splitlines()
        if "GET /healthz" in line
        for part in line.split()
        if part.startswith("upstream=")
    }
    assert upstreams == {f"127.0.0.1:{port}" for port in cluster.web_ports}, access
    # …and each uvicorn process logged requests it served for nginx (the proxied client address).
    for name in ("web1", "web2"):
        assert '"GET /healthz HTTP/1.1" 200' in (cluster.run_dir / f"{name}.log").read_text(), name
    logs = {name: (cluster.run_dir / f"{name}.log").read_text() for name in ("web1", "web2")}
    assert sum("POST /api/v1/cases/" in log for log in logs.values()) == 1

    # One ASGI process restarted: a new process on the same port, the cluster whole again.
    before = cluster.recorded()["web1"]
    restarted = cluster.script("restart", "web1", timeout=120)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert cluster.recorded()["web1"] != before
    assert not same_process_alive(*before)
    assert _get(f"http://127.0.0.1:{cluster.web_ports[0]}/readyz")[0] == 200

    status_output = cluster.script("status")
    assert status_output.returncode == 0, status_output.stdout + status_output.stderr
    recorded = cluster.recorded()
    assert set(recorded) == {"nginx", "web1", "web2", "worker", "beat"}
    member_pids = members(cluster.run_dir)
    assert {recorded[name][0] for name in ("web1", "web2", "worker", "beat")} <= set(member_pids)

    stopped = cluster.script("stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert [name for name, (pid, started) in recorded.items() if same_process_alive(pid, started)] == []
    assert members(cluster.run_dir) == []
    assert cluster.script("status").returncode == 3
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{cluster.url}/healthz", timeout=3)


def test_refuses_to_start_without_database_and_redis(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "REDIS_URL"))}
    env["CAUNOI_CLUSTER_DIR"] = str(tmp_path / "run")
    refused = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=30, check=False)
    assert refused.returncode != 0
    assert "DATABASE_URL must be set" in refused.stderr
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/unused"
    refused = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=30, check=False)
    assert refused.returncode != 0
    assert "REDIS_URL must be set" in refused.stderr
    assert not (tmp_path / "run").exists()  # refused before creating anything
