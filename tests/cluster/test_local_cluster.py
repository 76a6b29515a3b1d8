"""deploy/local-cluster end to end: nginx, two uvicorn processes, a celery worker and beat on loopback.

The cluster gets a database of its own (created here on the PostgreSQL server of DATABASE_URL, dropped
afterwards) and a dedicated Redis database: CAUNOI_CLUSTER_REDIS_URL, or db 15 on REDIS_URL's server. That
Redis database is flushed before and after, so it must not be shared with anything else.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "local-cluster"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
START_TIMEOUT = 300


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _admin_url() -> str:
    """The PostgreSQL server the suite uses, connected to its maintenance database."""
    configured = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    return _with_database(configured, "postgres").replace("postgres://", "postgresql://", 1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cluster_database() -> Iterator[str]:
    name = f"caunoi_cluster_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(_admin_url(), name)
    finally:
        with psycopg.connect(_admin_url(), autocommit=True) as admin:
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


@dataclass
class Cluster:
    url: str
    run_dir: Path
    env: dict[str, str]
    web_ports: list[int]
    database_url: str

    def script(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def recorded(self) -> dict[str, tuple[int, str]]:
        """name → (pid, start time) from the pid files the script keeps."""
        records = {}
        for file in self.run_dir.glob("*.pid"):
            pid, started = file.read_text().split()
            records[file.stem] = (int(pid), started)
        return records

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(self.run_dir.glob("*.log")))


def _members(run_dir: Path) -> list[int]:
    """Every process on the machine started by this cluster: the script marks them all (and their children,
    e.g. celery's pool) with CAUNOI_CLUSTER_DIR in the environment. nginx clears its environment, so it is
    found by its pid file instead (Cluster.recorded)."""
    marker = f"CAUNOI_CLUSTER_DIR={run_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _same_process_alive(pid: int, started: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[19] == started


def _get(url: str) -> tuple[int, dict[str, object]]:
    response = httpx.get(url, timeout=10)
    return response.status_code, response.json()


def _post_json(url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = httpx.post(url, json=payload, headers={"Accept": "application/json"}, timeout=30)
    return response.status_code, response.json()


@pytest.fixture
def cluster(cluster_database: str, cluster_redis: str) -> Iterator[Cluster]:
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx); deploy/local-cluster needs it")
    # Not pytest's tmp_path: as root, nginx's workers run as nobody and must traverse to the static files,
    # and pytest's temporary folders are private (0700).
    run_dir = Path(tempfile.mkdtemp(prefix="caunoi-cluster-"))
    run_dir.chmod(0o755)
    port, web_ports = _free_port(), [_free_port(), _free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": cluster_database,
        "REDIS_URL": cluster_redis,
        "SECRET_KEY": "cluster-test-only",
        "DJANGO_DEBUG": "false",
        "CAUNOI_CLUSTER_DIR": str(run_dir),
        "CAUNOI_CLUSTER_PORT": str(port),
        "CAUNOI_CLUSTER_WEB_PORTS": " ".join(map(str, web_ports)),
        "CAUNOI_CLUSTER_WORKER_CONCURRENCY": "1",
    }
    env.pop("DATABASE_URL_FILE", None)
    env.pop("REDIS_URL_FILE", None)
    handle = Cluster(f"http://127.0.0.1:{port}", run_dir, env, web_ports, cluster_database)
    try:
        started = handle.script("start", "--seed", timeout=START_TIMEOUT)
        if started.returncode != 0:
            pytest.fail(f"local-cluster start failed:\n{started.stdout}\n{started.stderr}\n{handle.logs()}")
        assert f"ready: {handle.url}/" in started.stdout
        yield handle
    finally:
        handle.script("stop")
        shutil.rmtree(run_dir, ignore_errors=True)


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
    assert not _same_process_alive(*before)
    assert _get(f"http://127.0.0.1:{cluster.web_ports[0]}/readyz")[0] == 200

    status_output = cluster.script("status")
    assert status_output.returncode == 0, status_output.stdout + status_output.stderr
    recorded = cluster.recorded()
    assert set(recorded) == {"nginx", "web1", "web2", "worker", "beat"}
    members = _members(cluster.run_dir)
    assert {recorded[name][0] for name in ("web1", "web2", "worker", "beat")} <= set(members)

    stopped = cluster.script("stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert [name for name, (pid, started) in recorded.items() if _same_process_alive(pid, started)] == []
    assert _members(cluster.run_dir) == []
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
