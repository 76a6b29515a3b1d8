"""Two-factor login: staff may turn it on, administrators must; with it on, the password alone lets nobody
in, through the login page, the API token or the admin."""

import pytest
from caunoi.accounts import two_factor
from caunoi.accounts.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required_for_administrators(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]  # as in production (the suite's conftest turns it off)


@pytest.fixture(autouse=True)
def _no_waiting_after_a_wrong_code(settings):
    # django-otp makes each wrong code cost a growing wait (1 s, 2 s, 4 s...); the tests that type a wrong
    # code and then the right one would have to sleep. test_wrong_codes_are_throttled puts it back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


PASSWORD = "correct horse 42"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client: Client, user: User, **extra):
    return client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def turn_on(user: User) -> TOTPDevice:
    device = two_factor.pending_device(user)
    assert two_factor.two_factor_confirm(user=user, code=code_for(device)) is not None
    device.refresh_from_db()
    device.last_t = -1  # the confirming code may be used again in this test's time step
    device.save()
    return device


def test_an_official_turns_it_on_from_the_settings_page(personas):
    official = personas["official_a"]
    client = Client()
    client.force_login(official)
    page = client.get("/accounts/two-factor/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    wrong = client.post("/accounts/two-factor/", {"otp_code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    assert not two_factor.has_two_factor(official)

    device = two_factor.pending_device(official)
    done = client.post("/accounts/two-factor/", {"otp_code": code_for(device)}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Two-factor login is on" in done.content.decode()
    assert two_factor.has_two_factor(official)


def test_with_it_on_the_password_alone_does_not_log_in(personas):
    official = personas["official_a"]
    device = turn_on(official)
    client = Client()
    response = login(client, official)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/queue/").status_code == 302  # still a visitor

    wrong = client.post("/accounts/login/code/", {"otp_code": "123456"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session

    right = client.post("/accounts/login/code/", {"otp_code": code_for(device)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(official.pk)
    assert client.get("/staff/queue/").status_code == 200


def test_the_code_page_without_a_password_step_goes_back_to_login(personas):
    assert Client().get("/accounts/login/code/")["Location"] == "/accounts/login/"


def test_the_api_token_needs_the_code_too(personas):
    official = personas["official_a"]
    device = turn_on(official)
    api = APIClient()
    without = api.post("/api/v1/auth/token/", {"username": official.username, "password": PASSWORD})
    assert without.status_code == 400 and "otp_token" in without.json()
    given = {"username": official.username, "password": PASSWORD, "otp_token": code_for(device)}
    assert "token" in api.post("/api/v1/auth/token/", given).json()


def test_an_administrator_must_set_it_up_before_anything_else(personas):
    admin = personas["admin"]
    admin.is_staff = True
    admin.save()
    client = Client()
    assert login(client, admin).status_code == 302
    for path in ("/admin/", "/staff/queue/", "/"):
        assert client.get(path)["Location"] == "/accounts/two-factor/"
    page = client.get("/accounts/two-factor/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Staff accounts must use two-factor login" in page.content.decode()
    client.post("/accounts/two-factor/", {"otp_code": code_for(two_factor.pending_device(admin))})
    assert client.get("/admin/").status_code == 200
    assert APIClient().post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code == 400


def test_an_administrator_cannot_turn_it_off(personas):
    admin = personas["admin"]
    turn_on(admin)
    client = Client()
    client.force_login(admin)
    client.post("/accounts/two-factor/", {"action": "turn-off"})
    assert two_factor.has_two_factor(admin)


def test_an_administrator_without_it_gets_no_api_token(personas):
    admin = personas["admin"]
    response = APIClient().post("/api/v1/auth/token/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 400 and "otp_token" in response.json()


def test_the_admin_login_page_is_the_one_login_page():
    assert Client().get("/admin/login/?next=/admin/")["Location"] == "/accounts/login/?next=/admin/"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("citizen", 404), ("official_a", 200), ("leader", 200), ("moderator", 200), ("admin", 200), (None, 302)],
)
def test_who_may_open_the_settings_page(personas, persona, status):
    client = Client()
    if persona:
        client.force_login(personas[persona])
    if persona == "admin":
        turn_on(personas["admin"])
    assert client.get("/accounts/two-factor/").status_code == status


def test_staff_who_never_turn_it_on_log_in_as_before(personas):
    leader = personas["leader"]
    client = Client()
    assert login(client, leader).status_code == 302
    assert client.session["_auth_user_id"] == str(leader.pk)


def test_wrong_codes_are_throttled(personas, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    official = personas["official_a"]
    device = turn_on(official)
    client = Client()
    login(client, official)
    client.post("/accounts/login/code/", {"otp_code": "111111"})
    client.post("/accounts/login/code/", {"otp_code": code_for(device)})  # right, but within the wait
    assert "_auth_user_id" not in client.session
