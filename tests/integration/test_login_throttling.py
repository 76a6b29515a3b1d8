"""Password guessing is slowed by growing waits per account and address, but no stranger can keep an
account's owner out: the owner's usual address is held back only by its own failures. Attack patterns
reach the administrators through the outbox."""

import uuid

import pytest
from caunoi.accounts import lockout
from caunoi.accounts.models import Role, User
from caunoi.notifications.models import Notification
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse 42"


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


@pytest.fixture
def official(settings):
    settings.LOGIN_MAX_FAILURES = 3
    return User.objects.create_user(f"official-{uuid.uuid4().hex[:8]}", password=PASSWORD, role=Role.OFFICIAL)


def login(where: str, username: str, password: str):
    client = Client(REMOTE_ADDR=where)
    response = client.post("/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")
    return response, "_auth_user_id" in client.session


def test_a_strangers_failures_do_not_keep_the_owner_out_of_their_usual_address(official):
    home, stranger = address(), address()
    assert login(home, official.username, PASSWORD)[1]  # the owner's usual address
    for _ in range(10):
        login(stranger, official.username, "guess")
    refused, logged_in = login(stranger, official.username, PASSWORD)
    assert not logged_in and "Too many failed attempts" in refused.content.decode()
    assert login(home, official.username, PASSWORD)[1]


def test_a_lock_on_one_address_is_not_a_lock_on_the_account(official):
    for _ in range(3):
        login(address(), official.username, "guess")  # spread: under every per-address limit
    guesser = address()
    for _ in range(3):
        login(guesser, official.username, "guess")
    assert not login(guesser, official.username, PASSWORD)[1]
    assert login(address(), official.username, PASSWORD)[1]  # the owner, from a new address too


def test_guessing_spread_over_many_addresses_is_slowed_except_where_the_owner_logs_in(official, settings):
    settings.LOGIN_ACCOUNT_MAX_ADDRESSES = 5
    home = address()
    assert login(home, official.username, PASSWORD)[1]
    for _ in range(5):
        login(address(), official.username, "guess")  # each address fails once only
    assert not login(address(), official.username, PASSWORD)[1]  # a fresh address now waits
    assert login(home, official.username, PASSWORD)[1]


def test_one_strange_address_hammering_an_account_does_not_make_other_new_addresses_wait(official, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 1000
    hammer = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address())
    for _ in range(60):
        lockout.record_failure(official.username, hammer)
    assert lockout.retry_after(official.username, hammer) > 0
    assert login(address(), official.username, PASSWORD)[1]  # the owner travelling, say


def test_one_address_trying_many_accounts_waits_except_for_accounts_it_knows(official, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 5
    shared = address()  # an office behind one public address, say
    colleague = User.objects.create_user(f"colleague-{uuid.uuid4().hex[:8]}", password=PASSWORD, role=Role.OFFICIAL)
    assert login(shared, colleague.username, PASSWORD)[1]
    for n in range(5):
        login(shared, f"someone-{n}-{uuid.uuid4().hex[:6]}", "guess")
    assert not login(shared, official.username, PASSWORD)[1]  # never logged in from there
    assert login(shared, colleague.username, PASSWORD)[1]
    assert login(address(), official.username, PASSWORD)[1]


def test_the_wait_grows_with_each_further_failure_up_to_a_limit(official, settings):
    settings.LOGIN_DELAY_SECONDS = 10
    settings.LOGIN_DELAY_MAX_MINUTES = 1
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address())
    waits = []
    for _ in range(7):
        lockout.record_failure(official.username, request)
        waits.append(lockout.retry_after(official.username, request))
    assert waits[:2] == [0, 0]
    assert [round(w, -1) for w in waits[2:]] == [10, 20, 40, 60, 60]


def test_the_api_says_how_long_to_wait(official):
    where = address()
    api = APIClient(REMOTE_ADDR=where)
    for _ in range(3):
        assert api.post("/api/v1/auth/token/", {"username": official.username, "password": "x"}).status_code == 400
    refused = api.post(
        "/api/v1/auth/token/", {"username": official.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 403
    assert 0 < int(refused["Retry-After"]) <= 30
    assert refused.json()["detail"].endswith("Try again in 1 minute.")
    other = APIClient(REMOTE_ADDR=address()).post(
        "/api/v1/auth/token/", {"username": official.username, "password": PASSWORD}
    )
    assert other.status_code == 200


@pytest.fixture
def administrators():
    return [
        User.objects.create_user(f"admin-{n}-{uuid.uuid4().hex[:6]}", email=f"admin{n}@example.vn", role=Role.ADMIN)
        for n in range(2)
    ]


def alerts() -> list[Notification]:
    return list(Notification.objects.filter(template="staff_login_attack").order_by("recipient"))


def test_administrators_are_told_once_when_one_address_tries_many_accounts(administrators, settings):
    settings.LOGIN_ALERT_ACCOUNTS = 4
    where = address()
    for n in range(3):
        login(where, f"someone-{n}-{uuid.uuid4().hex[:6]}", "guess")
    assert alerts() == []
    for n in range(3):
        login(where, f"more-{n}-{uuid.uuid4().hex[:6]}", "guess")
    sent = alerts()
    assert [row.recipient for row in sent] == ["admin0@example.vn", "admin1@example.vn"]
    assert sent[0].context["address"] == where and sent[0].context["kind"] == "many_accounts"


def test_administrators_are_told_when_many_addresses_try_one_account(official, administrators, settings):
    settings.LOGIN_ALERT_ADDRESSES = 3
    for _ in range(5):
        login(address(), official.username, "guess")
    sent = alerts()
    assert len(sent) == 2
    assert sent[0].context["username"] == official.username and sent[0].context["count"] == 3


def test_the_alert_reads_well(administrators, settings):
    from caunoi.notifications.rendering import render_message

    message = render_message(
        template="staff_login_attack",
        context={"kind": "many_addresses", "address": "", "username": "can-bo", "count": 12, "window_hours": 24},
        language="en",
    )
    assert message.subject == "Suspicious logins: 12 addresses tried the account can-bo"
    assert "the account's owner still logs in" in message.body


def test_without_redis_nobody_waits(official, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    where = address()
    for _ in range(5):
        login(where, official.username, "guess")
    assert login(where, official.username, PASSWORD)[1]


def test_an_ipv6_network_counts_as_one_address(official):
    for n in range(3):
        login(f"2001:db8:1:2::{n + 1:x}", official.username, "guess")  # one customer's /64
    assert not login("2001:db8:1:2:ffff::9", official.username, PASSWORD)[1]
    assert login("2001:db8:1:3::1", official.username, PASSWORD)[1]
