"""Health probes, the API schema, and settings that refuse bad environment values."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_dependencies(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_checks_database_and_redis(client):
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok", "redis": "ok"})


def test_readyz_reports_degraded_but_serving_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 200  # intake still works: stay in service
    assert response.json() == {"status": "degraded", "database": "ok", "redis": "down"}


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/cases/", "/api/v1/cases/track/{tracking_code}/", "/api/v1/auth/token/"} <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn.jsdelivr" not in docs.content  # served from our own static files
    # The documentation page is a page: other methods are refused, never a 500 (OPTIONS tried to render the
    # view's description through the page's template).
    for method in ("options", "post", "delete"):
        response = getattr(client, method)("/api/docs/")
        assert response.status_code == 405, (method, response.status_code)


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_DEBUG"}}
    base.update(
        {"DATABASE_URL": "postgres://127.0.0.1:5432/x", "REDIS_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": "k"}
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={k: v for k, v in base.items() if v != "<unset>"},
        cwd=settings.BACKEND_DIR,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must be a URL starting with postgres://"),
        ({"DATABASE_URL": "<unset>"}, "DATABASE_URL must be set"),
        ({"REDIS_URL": "http://cache"}, "REDIS_URL must be a URL starting with redis://"),
        ({"SECRET_KEY": "<unset>"}, "SECRET_KEY must be set"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"ATTACHMENT_MAX_COUNT": "five"}, "ATTACHMENT_MAX_COUNT='five' is not a whole number"),
        ({"SENTRY_DSN": "not a url"}, "SENTRY_DSN must be a URL starting with https://"),
    ],
)
def test_bad_environment_stops_start_up_naming_the_variable(env, message):
    result = start_django(DJANGO_SETTINGS_MODULE="caunoi.config.settings", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        env={**os.environ, "SECRET_KEY_FILE": str(secret), "SECRET_KEY": ""},
        cwd=settings.BACKEND_DIR,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "from-a-file"


def test_sentry_is_inert_without_a_dsn():
    import sentry_sdk

    assert settings.SENTRY_DSN is None
    assert not sentry_sdk.get_client().is_active()
