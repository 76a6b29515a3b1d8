"""Production settings pass Django's deployment checklist; every response carries the security headers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def check_deploy(**env_changes: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "hoidap.example.gov.vn", **env_changes}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' own process only
    return subprocess.run(
        [sys.executable, str(settings.BACKEND_DIR / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(HTTPS="true", SECRET_KEY="k3y-" + "x7Qm9#pL2$vR8@wZ5!nB4&cT1^" * 3)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_https():
    result = check_deploy(HTTPS="false", SECRET_KEY="k3y-" + "x7Qm9#pL2$vR8@wZ5!nB4&cT1^" * 3)
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT


def test_pages_carry_the_security_headers(client):
    response = client.get("/track/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_responses_carry_them_too(client):
    assert "Content-Security-Policy" in client.get("/healthz")


def test_under_https_pages_redirect_but_probes_do_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/track/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_websockets_may_connect_only_to_this_site(client):
    # A bare `ws:`/`wss:` source would let an injected script send data to any host over a websocket.
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in client.get("/track/")["Content-Security-Policy"].split("; ")
    )
    assert directives["connect-src"] == ["'self'", "ws://testserver"]
    secure = client.get("/track/", secure=True)["Content-Security-Policy"]
    assert "connect-src 'self' wss://testserver;" in secure


def test_an_unknown_host_gets_the_policy_without_a_websocket_origin(rf):
    from caunoi.core.middleware import ContentSecurityPolicyMiddleware
    from django.http import HttpResponse

    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse(status=400))
    response = middleware(rf.get("/track/", HTTP_HOST="evil.example.com"))
    assert "connect-src 'self';" in response["Content-Security-Policy"]
    assert "evil" not in response["Content-Security-Policy"]


def _settings_in_a_fresh_process(*names: str, **env_changes: str) -> list[str]:
    env = {**os.environ, "DJANGO_DEBUG": "false", "HTTPS": "true", **env_changes}
    code = f"from django.conf import settings; print(*[getattr(settings, n) for n in {names!r}], sep='|')"
    result = subprocess.run(
        [sys.executable, str(settings.BACKEND_DIR / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1].split("|")


def test_hsts_preload_and_subdomains_are_off_unless_configured():
    # A government portal often shares its parent domain with other services: HSTS on every subdomain, or a
    # place in the browsers' preload list, is the domain owner's decision, not this application's default.
    assert _settings_in_a_fresh_process("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD") == ["False", "False"]
    configured = _settings_in_a_fresh_process(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert configured == ["True", "True"]
