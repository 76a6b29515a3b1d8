"""Input no view can use gets a clear 4xx, never a 500: NUL characters in the path, query or headers, JSON
nested too deeply or holding NUL, bodies too large (JSON under the API), ids beyond bigint, and attachments
whose file is gone. The fuzzing over every entry point is in test_fuzz_entry_points.py."""

from __future__ import annotations

import json

import pytest
from caunoi.cases.models import Case
from django.test import Client

from tests.support import files

pytestmark = pytest.mark.django_db

API_NUL_ROUTES = [
    "/open311/v2/requests.json?service_code=%00",
    "/open311/v2/requests.json?service_request_id=HD-2026-1%00",
    "/open311/v2/requests/%00.json",
    "/open311/v2/requests/HD-2026-1%00.json",
    "/api/v1/cases/track/HD-2026-1%00/",
    "/api/v1/published/?agency=UBND%00",
]
PAGE_NUL_ROUTES = [
    "/track/HD-2026-1%00/",
    "/co-quan/%00/",
    "/co-quan/UBND-HN%00/",
    "/feeds/agencies/%00/published.atom",
    "/hoi-dap/?q=a%00b",
]
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture
def client(reference_data, personas) -> Client:
    return Client(raise_request_exception=False)


def test_nul_in_a_query_parameter_is_a_field_error(client):
    body = client.get("/api/v1/published/?q=ok&agency=UBND%00").json()
    assert list(body) == ["agency"] and "NUL" in body["agency"][0]
    (problem,) = client.get("/open311/v2/requests.json?service_code=%00").json()
    assert problem["description"].startswith("service_code: ")


@pytest.mark.parametrize("url", API_NUL_ROUTES)
def test_nul_in_an_api_address_is_a_json_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "NUL" in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("url", PAGE_NUL_ROUTES)
def test_nul_in_a_page_address_is_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")


def test_nul_in_a_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefghijkl\x00mnop"
    assert client.get("/").status_code == 400
    assert client.get("/api/v1/published/").status_code == 400


def test_a_path_id_beyond_bigint_is_not_found(client, personas):
    # Django's integer lookups treat an out-of-range value as "no row": kept here as a guard on that.
    client.force_login(personas["official_a"])
    for url in ("/api/v1/cases/99999999999999999999/", "/staff/cases/99999999999999999999/"):
        response = client.get(url)
        assert response.status_code == 404, (url, response.content[:300])
    assert client.get("/api/v1/cases/99999999999999999999/")["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/auth/token/", "/open311/v2/requests.json"])
def test_json_nested_too_deeply_is_a_400_that_says_so(client, url):
    response = client.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "32" in json.dumps(response.json(), ensure_ascii=False)  # the limit is named


def test_deep_json_on_a_staff_action_is_a_400(client, personas, agencies):
    case = _case(client)
    Case.objects.filter(pk=case.pk).update(agency=agencies["SO-NNMT-HN"])  # official A's agency
    client.force_login(personas["official_a"])
    response = client.post(f"/api/v1/cases/{case.id}/note/", DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    # Moderate nesting past the limit (no RecursionError involved) is refused the same way.
    nested = "[" * 40 + "]" * 40
    response = client.post(f"/api/v1/cases/{case.id}/note/", nested, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_nul_inside_json_is_refused_at_the_parser(client):
    response = client.post(
        "/api/v1/auth/token/", json.dumps({"username": "a\x00b", "password": "x"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_invalid_utf8_json_is_a_400(client):
    response = client.post("/api/v1/cases/", b'{"title": "\xff\xfe"}', content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_a_body_too_large_under_the_api_is_a_json_413(client):
    body = json.dumps({"title": "x" * (10 * 1024 * 1024)})
    response = client.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_unknown_api_addresses_are_json_404s(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["detail"]


def _case(client: Client, *, with_file: bool = False) -> Case:
    data = {
        "kind": "question",
        "title": "Hỏi về thủ tục cấp phép",
        "body": "Xin hỏi thủ tục cấp phép xây dựng nhà ở riêng lẻ cần những giấy tờ gì?",
        "category": "moi-truong",
        "area": "tinh-01",
        "name": "Lê Văn Cường",
    }
    if with_file:
        data["attachments"] = [files.upload("anh.png", files.png_bytes())]
    response = client.post("/api/v1/cases/", data)
    assert response.status_code == 201, response.content
    case = Case.objects.get(tracking_code=response.json()["tracking_code"])
    case.access_token_plain = response.json()["access_token"]  # type: ignore[attr-defined]
    return case


def test_an_attachment_whose_file_is_gone_is_a_404(client, personas):
    case = _case(client, with_file=True)
    attachment = case.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    api_url = f"/api/v1/cases/track/{case.tracking_code}/attachments/{attachment.id}/"
    response = client.get(api_url, HTTP_X_ACCESS_TOKEN=case.access_token_plain)  # type: ignore[attr-defined]
    assert response.status_code == 404
    assert response.json()["detail"]
    client.force_login(personas["official_a"])
    assert client.get(f"/staff/cases/{case.id}/attachments/{attachment.id}/").status_code == 404


def test_a_value_postgresql_refuses_is_a_400_not_a_500(rf):
    # The last line of defence, for input that passes every parser and reaches a query (a DataError).
    from caunoi.core.request_guard import RequestGuardMiddleware
    from django.db import DataError

    middleware = RequestGuardMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    api = middleware.process_exception(rf.get("/api/v1/published/"), DataError("value out of range"))
    assert api is not None and api.status_code == 400 and api["Content-Type"] == "application/json"
    page = middleware.process_exception(rf.get("/hoi-dap/"), DataError("value out of range"))
    assert page is not None and page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None  # bugs stay 500s


def test_a_broken_multipart_body_is_named_as_such(client):
    response = client.post("/api/v1/cases/", b"--x\r\n\xff", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "JSON" not in response.json()["detail"]
