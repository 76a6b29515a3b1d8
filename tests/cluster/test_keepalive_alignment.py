"""The web server keeps an idle connection open longer than any proxy in front keeps it in its pool.

If uvicorn closes an idle keep-alive connection first, a request the proxy sends on it at that moment meets
a reset: nginx retries a GET elsewhere, but a POST (a citizen's submission) fails. So in every topology
deploy/ ships, uvicorn's --timeout-keep-alive must outlive the proxy's upstream idle timeout: nginx's
`keepalive_timeout` inside our upstream block (compose, local-cluster) and ingress-nginx's
upstream-keepalive-timeout (60 s by default, the Kubernetes ingress).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INGRESS_NGINX_UPSTREAM_IDLE_DEFAULT = 60  # ingress-nginx's upstream-keepalive-timeout default (seconds)


def _seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()  # type: ignore[union-attr]
    return int(number) * (60 if unit == "m" else 1)


def _nginx_upstream_idle_timeout() -> int:
    conf = (DEPLOY / "nginx" / "caunoi.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream caunoi_asgi \{(.*?)\n\}", conf, re.S)
    assert upstream, "deploy/nginx/caunoi.conf has no upstream caunoi_asgi block"
    timeout = re.search(r"^\s*keepalive_timeout\s+(\S+);", upstream.group(1), re.M)
    # Written down explicitly, so a reader sees the number this test compares against.
    assert timeout, "the upstream block must state its keepalive_timeout"
    return _seconds(timeout.group(1))


def _uvicorn_keepalive(launcher: Path) -> int:
    text = launcher.read_text(encoding="utf-8")
    assert "uvicorn caunoi.config.asgi:application" in text
    match = re.search(r"--timeout-keep-alive\s+\"?\$?\{?[A-Z_]*:?-?(\d+)", text)
    assert match, f"{launcher.name} starts uvicorn without --timeout-keep-alive (uvicorn's default is 5 s)"
    return int(match.group(1))


@pytest.mark.parametrize("launcher", ["entrypoint.sh", "local-cluster"])
def test_uvicorn_outlives_every_proxy_idle_timeout(launcher):
    keepalive = _uvicorn_keepalive(DEPLOY / launcher)
    assert keepalive > _nginx_upstream_idle_timeout()
    assert keepalive > INGRESS_NGINX_UPSTREAM_IDLE_DEFAULT
