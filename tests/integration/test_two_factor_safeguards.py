"""Two-factor login for every staff role by default; recovery codes (shown once, stored as digests, each
used once) in place of a code; turning it off, moving it to a new phone, new recovery codes and a new
e-mail address all need a fresh password or code."""

import re

import pytest
from caunoi.accounts import two_factor
from caunoi.accounts.models import Role, User
from caunoi.config.settings import security
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse 42"
CODE = re.compile(r"\b[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\b")


@pytest.fixture(autouse=True)
def _as_in_production(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = list(security.TWO_FACTOR_REQUIRED_ROLES)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def fresh(device: TOTPDevice) -> str:
    """A code the device accepts again within this time step (tests type several in one step)."""
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    return code_for(device)


def set_up_on_the_page(client: Client, user: User) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.pending_device(user)
    page = client.post("/accounts/two-factor/", {"otp_code": code_for(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    return TOTPDevice.objects.get(pk=device.pk), CODE.findall(page.content.decode())


def logged_in_official(personas) -> tuple[Client, User]:
    official = personas["official_a"]
    client = Client()
    assert client.post("/accounts/login/", {"username": official.username, "password": PASSWORD}).status_code == 302
    return client, official


def test_every_staff_role_must_use_it_by_default_and_sets_it_up_at_first_login(personas):
    assert set(security.TWO_FACTOR_REQUIRED_ROLES) == {Role.OFFICIAL, Role.LEADER, Role.MODERATOR, Role.ADMIN}
    for persona in ("official_a", "leader", "moderator", "admin"):
        client = Client()
        user = personas[persona]
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert client.get("/")["Location"] == "/accounts/two-factor/", persona
        response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 400 and "otp_token" in response.json()
    citizen = Client()
    citizen.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert citizen.get("/").status_code == 200


def test_recovery_codes_are_shown_once_and_stored_as_digests(personas):
    client, official = logged_in_official(personas)
    _device, codes = set_up_on_the_page(client, official)
    assert len(set(codes)) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM otp_static_statictoken")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert stored and not any(code.replace("-", "") in stored or code in stored for code in codes)
    assert not CODE.findall(client.get("/accounts/two-factor/").content.decode())


def test_a_recovery_code_logs_in_once_instead_of_a_code(personas):
    client, official = logged_in_official(personas)
    _device, codes = set_up_on_the_page(client, official)
    for attempt, expected in ((1, True), (2, False)):
        other = Client()
        other.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
        other.post("/accounts/login/code/", {"otp_code": codes[0].upper()})
        assert ("_auth_user_id" in other.session) is expected, attempt
    api = APIClient()
    given = {"username": official.username, "password": PASSWORD, "otp_token": codes[1]}
    assert api.post("/api/v1/auth/token/", given).status_code == 200
    assert api.post("/api/v1/auth/token/", given).status_code == 400


def test_turning_it_off_needs_a_fresh_password_or_code(personas, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    client, official = logged_in_official(personas)
    device, _codes = set_up_on_the_page(client, official)
    for confirm in ("", "not my password"):
        refused = client.post("/accounts/two-factor/", {"action": "turn-off", "confirm": confirm})
        assert refused.status_code == 400
        assert two_factor.has_two_factor(official)
    client.post("/accounts/two-factor/", {"action": "turn-off", "confirm": fresh(device)})
    assert not two_factor.has_two_factor(official)

    device, _codes = set_up_on_the_page(client, official)
    client.post("/accounts/two-factor/", {"action": "turn-off", "confirm": PASSWORD})
    assert not two_factor.has_two_factor(official)


def test_moving_to_a_new_phone_needs_a_fresh_password_or_code(personas):
    client, official = logged_in_official(personas)
    old, _codes = set_up_on_the_page(client, official)
    new = two_factor.pending_device(official)
    refused = client.post("/accounts/two-factor/?replace=1", {"otp_code": code_for(new)}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "confirm it is you" in refused.content.decode()
    assert two_factor.confirmed_device(official).pk == old.pk
    moved = client.post("/accounts/two-factor/?replace=1", {"otp_code": fresh(new), "confirm": fresh(old)})
    assert moved.status_code == 302
    assert two_factor.confirmed_device(official).pk == new.pk


def test_new_recovery_codes_need_proof_and_replace_the_old_ones(personas):
    client, official = logged_in_official(personas)
    _device, old_codes = set_up_on_the_page(client, official)
    assert client.post("/accounts/two-factor/", {"action": "new-codes", "confirm": "wrong"}).status_code == 400
    page = client.post("/accounts/two-factor/", {"action": "new-codes", "confirm": PASSWORD})
    new_codes = CODE.findall(page.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert two_factor.verify(official, old_codes[0]) is None
    assert two_factor.verify(official, new_codes[0]) is not None


def test_changing_the_email_address_needs_a_fresh_password_or_code(personas):
    client, official = logged_in_official(personas)
    device, _codes = set_up_on_the_page(client, official)
    refused = client.post(
        "/accounts/email/", {"email": "moi@example.vn", "confirm": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400 and "moi@example.vn" in refused.content.decode()  # what was typed is kept
    official.refresh_from_db()
    assert official.email != "moi@example.vn"
    assert client.post("/accounts/email/", {"email": "moi@example.vn", "confirm": fresh(device)}).status_code == 302
    official.refresh_from_db()
    assert official.email == "moi@example.vn"


def test_a_citizen_who_logs_in_with_their_address_logs_in_with_the_new_one(reference_data):
    citizen = User.objects.create_user("lan@example.vn", email="lan@example.vn", password=PASSWORD)
    client = Client()
    client.force_login(citizen)
    taken = User.objects.create_user("other@example.vn", email="other@example.vn", password=PASSWORD)
    refused = client.post("/accounts/email/", {"email": taken.email, "confirm": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "already exists" in refused.content.decode()
    assert client.post("/accounts/email/", {"email": "Lan.Moi@Example.vn", "confirm": PASSWORD}).status_code == 302
    citizen.refresh_from_db()
    assert citizen.username == citizen.email == "lan.moi@example.vn"
    from caunoi.notifications.models import Notification

    warning = Notification.objects.get(template="account_email_changed")
    assert warning.recipient == "lan@example.vn" and warning.context["new_email"] == "l…@example.vn"
    fresh_client = Client()
    fresh_client.post("/accounts/login/", {"username": "lan.moi@example.vn", "password": PASSWORD})
    assert fresh_client.session["_auth_user_id"] == str(citizen.pk)


def test_a_session_verified_by_a_recovery_code_stays_verified_after_new_codes(personas):
    client, official = logged_in_official(personas)
    _device, codes = set_up_on_the_page(client, official)
    other = Client()
    other.post("/accounts/login/", {"username": official.username, "password": PASSWORD})
    other.post("/accounts/login/code/", {"otp_code": codes[0]})
    assert other.post("/accounts/two-factor/", {"action": "new-codes", "confirm": PASSWORD}).status_code == 200
    assert other.get("/staff/queue/").status_code == 200  # not sent back to the two-factor page


def test_an_administrator_resets_a_lost_second_factor(personas, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []  # the administrator's own session: force_login has no code
    client, official = logged_in_official(personas)
    set_up_on_the_page(client, official)
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    staff = Client()
    staff.force_login(admin)
    done = staff.post("/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [official.pk]})
    assert done.status_code == 302
    assert not two_factor.has_two_factor(official) and two_factor.recovery_codes_left(official) == 0
