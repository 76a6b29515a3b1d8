"""Password guessing is stopped: an address must wait after repeated failures for an account, whichever way
the guesses come (login page or API token), and each address is limited in how often it may try or submit.
That the wait never keeps the owner out is shown in test_login_throttling.py."""

import uuid

import pytest
from caunoi.accounts.models import Role, User
from caunoi.core.ratelimit import Limit
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse 42"


@pytest.fixture
def official(reference_data, settings):
    settings.LOGIN_MAX_FAILURES = 3
    # A name of its own: the failure counter lives in the shared Redis.
    return User.objects.create_user(f"official-{uuid.uuid4().hex[:8]}", password=PASSWORD, role=Role.OFFICIAL)


def login_page(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_three_wrong_passwords_lock_the_account_even_for_the_right_one(official):
    client = Client()
    for _ in range(3):
        assert login_page(client, official.username, "wrong").status_code == 400  # bad input: a 4xx, as on every form
    response = login_page(client, official.username, PASSWORD)

    assert "_auth_user_id" not in client.session
    assert "Too many failed attempts for this account" in response.content.decode()


def test_the_api_token_login_is_locked_too_and_says_why(official):
    api = APIClient()
    for _ in range(3):
        assert api.post("/api/v1/auth/token/", {"username": official.username, "password": "x"}).status_code == 400
    response = api.post(
        "/api/v1/auth/token/", {"username": official.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert "Too many failed attempts" in response.json()["detail"]


def test_guesses_through_the_api_lock_the_login_page(official):
    api = APIClient()
    for _ in range(3):
        api.post("/api/v1/auth/token/", {"username": official.username, "password": "x"})
    page = Client()
    login_page(page, official.username, PASSWORD)
    assert "_auth_user_id" not in page.session  # the admin has no login of its own (test_two_factor_login.py)


def test_a_successful_login_clears_earlier_failures(official):
    client = Client()
    for _ in range(2):
        login_page(client, official.username, "wrong")
    assert login_page(client, official.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        login_page(client, official.username, "wrong")
    assert login_page(client, official.username, PASSWORD).status_code == 302


def test_the_username_is_locked_whatever_its_case(official):
    client = Client()
    for _ in range(3):
        login_page(client, official.username.upper(), "wrong")
    login_page(client, official.username, PASSWORD)
    assert "_auth_user_id" not in client.session


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_an_address_that_tries_too_often_is_told_to_wait(official, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": Limit(2, 60)}
    client = Client(REMOTE_ADDR=address())
    login_page(client, "someone", "x")
    login_page(client, "someone-else", "y")
    response = login_page(client, official.username, PASSWORD)
    assert "Too many requests from your network" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert APIClient(REMOTE_ADDR=client.defaults["REMOTE_ADDR"]).post("/api/v1/auth/token/", {}).status_code == 429
    assert login_page(Client(REMOTE_ADDR=address()), official.username, PASSWORD).status_code == 302


SUBMISSION = {
    "kind": "question",
    "title": "Hỏi về giấy phép xây dựng",
    "body": "Xin hỏi nhà ở riêng lẻ hai tầng có cần giấy phép xây dựng không?",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
}


def test_intake_is_limited_per_address_with_a_clear_answer(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(2, 600)}
    api = APIClient(REMOTE_ADDR=address())
    assert [api.post("/api/v1/cases/", SUBMISSION, format="json").status_code for _ in range(2)] == [201, 201]
    refused = api.post("/api/v1/cases/", SUBMISSION, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "Too many requests" in refused.json()["detail"]
    page = Client(REMOTE_ADDR=api.defaults["REMOTE_ADDR"]).post("/submit/", SUBMISSION, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 429
    assert "Too many requests" in page.content.decode()
    assert "Hỏi về giấy phép xây dựng" in page.content.decode()  # what the citizen typed is kept


def test_behind_a_proxy_the_forwarded_address_is_counted(reference_data, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(1, 600)}
    proxy = APIClient(REMOTE_ADDR="127.0.0.1")
    one, two = address(), address()
    assert proxy.post("/api/v1/cases/", SUBMISSION, format="json", HTTP_X_FORWARDED_FOR=one).status_code == 201
    assert proxy.post("/api/v1/cases/", SUBMISSION, format="json", HTTP_X_FORWARDED_FOR=two).status_code == 201
    # A client cannot escape by writing its own X-Forwarded-For: the proxy appends the real address last.
    spoofed = f"{address()}, {one}"
    assert proxy.post("/api/v1/cases/", SUBMISSION, format="json", HTTP_X_FORWARDED_FOR=spoofed).status_code == 429


def test_web_form_double_submission_stores_one_case(reference_data):
    from caunoi.cases.models import Case

    client = Client()
    form = {**SUBMISSION, "submission_key": uuid.uuid4().hex}
    assert client.post("/submit/", form).status_code == 302
    assert client.post("/submit/", form).status_code == 302
    assert Case.objects.count() == 1


def test_searching_is_limited_per_address(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": Limit(2, 60)}
    where = address()
    api = APIClient(REMOTE_ADDR=where)
    assert [api.get("/api/v1/published/", {"q": "đất đai"}).status_code for _ in range(2)] == [200, 200]
    assert api.get("/api/v1/published/similar/", {"text": "cấp sổ đỏ lần đầu"}).status_code == 429
    page = Client(REMOTE_ADDR=where).get("/hoi-dap/", {"q": "đất đai"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 429
    assert "Too many requests" in page.content.decode()
    assert Client(REMOTE_ADDR=where).get("/hoi-dap/").status_code == 200  # the empty search page is not counted
