"""API tokens: hashed at rest, expiring, one per named device, new on every login, revocable by their owner
(API and page) and by administrators (admin)."""

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse 42"


def token_login(username: str = "official-a", **extra) -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.content
    return response.json()


def status_with(token: str) -> int:
    return APIClient().get("/api/v1/cases/mine/", HTTP_AUTHORIZATION=f"Token {token}").status_code


def all_text_in_database_tables() -> str:
    """Every text value of every row of the token tables, whatever they are called."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE %s",
            ["%token%"],
        )
        text = []
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
            text.extend(str(value) for row in cursor.fetchall() for value in row)
    return " ".join(text)


def test_the_token_is_not_stored_in_clear(personas):
    token = token_login()["token"]
    assert status_with(token) == 200
    assert token not in all_text_in_database_tables()


def test_every_login_returns_a_new_token_with_its_expiry(personas, settings):
    settings.API_TOKEN_DAYS = 7
    first = token_login(device="laptop")
    second = token_login(device="phone")
    assert first["token"] != second["token"]
    expiry = dt.datetime.fromisoformat(second["expiry"])
    assert abs(expiry - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=5)
    assert status_with(first["token"]) == 200 and status_with(second["token"]) == 200


def test_a_new_login_from_the_same_device_replaces_its_token(personas):
    old = token_login(device="Máy tính văn phòng")["token"]
    new = token_login(device="Máy tính văn phòng")["token"]
    assert old != new
    assert status_with(old) == 401
    assert status_with(new) == 200


def test_an_expired_token_is_refused(personas):
    token = token_login()["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert status_with(token) == 401


def test_the_owner_lists_and_revokes_devices_through_the_api(personas):
    laptop = token_login(device="laptop")
    phone = token_login(device="phone")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {laptop['token']}")
    listed = api.get("/api/v1/auth/tokens/").json()
    assert {d["device"] for d in listed} == {"laptop", "phone"}
    assert all("token" not in d for d in listed)

    assert api.delete(f"/api/v1/auth/tokens/{phone['id']}/").status_code == 204
    assert status_with(phone["token"]) == 401
    assert api.delete(f"/api/v1/auth/tokens/{phone['id']}/").status_code == 404


def test_nobody_revokes_someone_elses_token(personas):
    theirs = token_login("official-b", device="laptop")
    mine = APIClient(HTTP_AUTHORIZATION=f"Token {token_login()['token']}")
    assert mine.delete(f"/api/v1/auth/tokens/{theirs['id']}/").status_code == 404
    assert mine.delete("/api/v1/auth/tokens/not-an-id/").status_code == 404
    assert status_with(theirs["token"]) == 200


def test_the_devices_page_lists_and_revokes(personas):
    laptop = token_login(device="laptop")
    client = Client()
    client.force_login(personas["official_a"])
    page = client.get("/accounts/devices/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "laptop" in page.content.decode()
    assert laptop["token"] not in page.content.decode()
    done = client.post("/accounts/devices/", {"revoke": laptop["id"]}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "laptop" in done.content.decode() and "revoked" in done.content.decode()
    assert status_with(laptop["token"]) == 401


def test_an_administrator_revokes_tokens_in_the_admin(personas):
    laptop = token_login(device="laptop")
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200 and "laptop" in listing.content.decode()
    token_model = apps.get_model("accounts", "ApiToken")
    row = token_model.objects.get(public_id=laptop["id"])
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert status_with(laptop["token"]) == 401


def test_the_token_login_is_in_the_openapi_schema(personas):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    issued = operation["responses"]["200"]["content"]["application/json"]["schema"]
    ref = issued["$ref"].rsplit("/", 1)[-1]
    assert {"token", "expiry", "device"} <= set(schema["components"]["schemas"][ref]["properties"])
    assert "/api/v1/auth/tokens/{token_id}/" in schema["paths"]


def test_a_new_password_revokes_every_token(personas):
    laptop = token_login(device="laptop")["token"]
    client = Client()
    client.force_login(personas["official_a"])
    changed = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a much newer secret 7", "new_password2": "a much newer secret 7"},
    )
    assert changed.status_code == 302
    assert status_with(laptop) == 401


@pytest.mark.parametrize(
    "body",
    [
        {"username": ["official-a"], "password": PASSWORD},
        {"username": "official-a", "password": {"x": 1}},
        {"username": "official-a", "password": PASSWORD, "device": "x" * 500},
        {"username": "official-a", "password": PASSWORD, "otp_token": ["123456"]},
        {"username": "x" * 10_000, "password": "y"},
        {},
    ],
)
def test_bad_input_gets_a_field_error_not_a_crash(personas, body):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict) and response.json()


def test_expired_tokens_are_deleted_by_the_hourly_task(personas):
    from caunoi.accounts.tasks import delete_expired_api_tokens

    token_model = apps.get_model("accounts", "ApiToken")
    old = token_login(device="old")
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        token_login(device="new")
    with time_machine.travel(timezone.now() + dt.timedelta(days=35)):
        assert delete_expired_api_tokens() == 1
        assert delete_expired_api_tokens() == 0
    assert list(token_model.objects.values_list("name", flat=True)) == ["new"]
    assert not token_model.objects.filter(public_id=old["id"]).exists()
