"""The abuse policy (caunoi.core.policy): one set of limits for every way in, per address and per identity,
each refusal a 429 with Retry-After in the client's language; wrong tracking codes stop early."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from caunoi.cases.models import Case
from caunoi.core.ratelimit import Limit
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "kind": "question",
    "title": "Hỏi về giấy phép xây dựng",
    "body": "Xin hỏi nhà ở riêng lẻ hai tầng có cần giấy phép xây dựng không?",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
}
OPEN311 = {
    "service_code": "dat-dai",
    "description": "Bãi đất trống cạnh chợ bị đổ phế thải xây dựng nhiều ngày nay, đề nghị kiểm tra.",
    "address_id": "tinh-01",
    "first_name": "Lê",
    "last_name": "Văn Nam",
}


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def open311_post(client: Client, **changes):
    data = {**OPEN311, **changes}
    return client.post(
        "/open311/v2/requests.json", urlencode(data), content_type="application/x-www-form-urlencoded", **headers()
    )


def headers(language: str = "en") -> dict[str, str]:
    return {"HTTP_ACCEPT_LANGUAGE": language}


def assert_refused(response, *, window: int) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= window


def test_open311_shares_the_intake_limit_with_the_api_and_the_form(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(3, 600)}
    where = address()
    api = APIClient(REMOTE_ADDR=where)
    assert [api.post("/api/v1/cases/", SUBMISSION, format="json").status_code for _ in range(3)] == [201] * 3
    before = Case.objects.count()

    refused = [open311_post(Client(REMOTE_ADDR=where)) for _ in range(40)]

    assert Case.objects.count() == before
    for response in refused:
        assert_refused(response, window=600)
    body = refused[0].json()
    assert body[0]["code"] == 429 and "Too many requests" in body[0]["description"]
    page = Client(REMOTE_ADDR=where).post("/submit/", SUBMISSION, **headers())
    assert_refused(page, window=600)
    assert "Hỏi về giấy phép xây dựng" in page.content.decode()  # what the citizen typed is kept
    assert open311_post(Client(REMOTE_ADDR=address())).status_code == 201  # another address is not affected


def test_open311_alone_is_limited(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(2, 600)}
    client = Client(REMOTE_ADDR=address())
    assert [open311_post(client).status_code for _ in range(4)] == [201, 201, 429, 429]


def test_one_contact_address_is_limited_whatever_network_it_comes_from(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake:identity": Limit(2, 3600)}
    email = f"nguoi-{uuid.uuid4().hex[:8]}@example.vn"
    send = [
        APIClient(REMOTE_ADDR=address()).post("/api/v1/cases/", {**SUBMISSION, "email": email}, format="json"),
        open311_post(Client(REMOTE_ADDR=address()), email=email.upper()),
        Client(REMOTE_ADDR=address()).post("/submit/", {**SUBMISSION, "email": f" {email} "}),
    ]
    assert [r.status_code for r in send] == [201, 201, 429]
    phone = f"09{uuid.uuid4().int % 10**8:08d}"
    by_phone = [
        open311_post(Client(REMOTE_ADDR=address()), phone=phone).status_code,
        open311_post(Client(REMOTE_ADDR=address()), phone=f"+84 {phone[1:4]} {phone[4:]}").status_code,
        open311_post(Client(REMOTE_ADDR=address()), phone=phone).status_code,
    ]
    assert by_phone == [201, 201, 429]
    # Neighbours behind the same address, with their own contact details, are not held back by it.
    other = f"khac-{uuid.uuid4().hex[:8]}@example.vn"
    assert open311_post(Client(REMOTE_ADDR=address()), email=other).status_code == 201


def test_wrong_tracking_codes_are_refused_after_a_few_on_page_and_api(api, reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "track:failures": Limit(5, 600)}
    submitted = api.post("/api/v1/cases/", SUBMISSION, format="json").json()
    code, token = submitted["tracking_code"], submitted["access_token"]
    where = address()
    guesser = APIClient(REMOTE_ADDR=where)
    statuses = [
        guesser.get(f"/api/v1/cases/track/{code}/", HTTP_X_ACCESS_TOKEN=f"wrong-{i}", **headers()).status_code
        for i in range(8)
    ]
    assert statuses == [404] * 5 + [429] * 3
    # Once refused, even the right code waits: the guesser cannot tell a hit from a refusal.
    assert_refused(guesser.get(f"/api/v1/cases/track/{code}/", HTTP_X_ACCESS_TOKEN=token), window=600)
    page = Client(REMOTE_ADDR=where).get("/track/", {"code": code, "token": "wrong"}, **headers())
    assert_refused(page, window=600)
    assert "Too many requests" in page.content.decode()
    reply = APIClient(REMOTE_ADDR=where).post(f"/api/v1/cases/track/{code}/reply/", {"body": "x"}, format="json")
    assert reply.status_code == 429
    # The citizen on another network follows the case as before.
    assert api.get(f"/api/v1/cases/track/{code}/", HTTP_X_ACCESS_TOKEN=token).status_code == 200


def test_following_ones_own_case_is_not_a_failure(api, reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "track:failures": Limit(2, 600)}
    submitted = api.post("/api/v1/cases/", SUBMISSION, format="json").json()
    client = APIClient(REMOTE_ADDR=address())
    url = f"/api/v1/cases/track/{submitted['tracking_code']}/"
    assert {client.get(url, HTTP_X_ACCESS_TOKEN=submitted["access_token"]).status_code for _ in range(10)} == {200}


def test_tracking_has_an_overall_limit_per_address(api, reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "track": Limit(3, 60)}
    client = Client(REMOTE_ADDR=address())
    assert [client.get("/track/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_refusals_speak_vietnamese_by_default(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(1, 600)}
    client = Client(REMOTE_ADDR=address())
    open311_post(client)
    refused = client.post(
        "/open311/v2/requests.json", urlencode(OPEN311), content_type="application/x-www-form-urlencoded"
    )
    assert refused.status_code == 429
    assert "quá nhiều yêu cầu" in refused.json()[0]["description"]


def test_login_refusals_carry_retry_after(personas, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": Limit(1, 600)}
    api = APIClient(REMOTE_ADDR=address())
    api.post("/api/v1/auth/token/", {"username": "x", "password": "y"})
    refused = api.post("/api/v1/auth/token/", {"username": "x", "password": "y"})
    assert_refused(refused, window=600)


def test_replies_to_one_case_are_limited_whatever_the_address(api, reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply:identity": Limit(2, 600)}
    submitted = api.post("/api/v1/cases/", SUBMISSION, format="json").json()
    url = f"/api/v1/cases/track/{submitted['tracking_code']}/reply/"
    statuses = [
        APIClient(REMOTE_ADDR=address())
        .post(url, {"body": "Bổ sung"}, format="json", HTTP_X_ACCESS_TOKEN=submitted["access_token"])
        .status_code
        for _ in range(3)
    ]
    assert 429 not in statuses[:2] and statuses[2] == 429


def test_operators_see_refusals_in_the_metrics(reference_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": Limit(1, 600)}
    client = Client(REMOTE_ADDR=address())
    assert [open311_post(client).status_code for _ in range(2)] == [201, 429]
    scrape = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    line = next(
        line for line in scrape.splitlines() if line.startswith('caunoi_abuse_events_today{event="refused:intake"}')
    )
    assert float(line.rsplit(" ", 1)[1]) >= 1
    assert "caunoi_cases_held 0.0" in scrape
