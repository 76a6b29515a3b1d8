"""Open311 GeoReport v2: existing clients list our services, post requests into the same intake, and read
published answers as closed service requests."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from caunoi.cases.models import Case
from django.test import Client

from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
VALID = {
    "api_key": "any",
    "service_code": "dat-dai",
    "description": "Bãi đất trống cạnh chợ bị đổ phế thải xây dựng nhiều ngày nay, đề nghị kiểm tra.",
    "address_string": "Ngõ 12 phố Hàng Bạc",
    "address_id": "tinh-01",
    "lat": "21.0342",
    "long": "105.8522",
    "first_name": "Lê",
    "last_name": "Văn Nam",
    "email": "le.nam@example.vn",
    "phone": "0912 345 678",
}


def post(client: Client, **changes):
    data = {k: v for k, v in {**VALID, **changes}.items() if v is not None}
    return client.post("/open311/v2/requests.json", urlencode(data), content_type=FORM, HTTP_ACCEPT_LANGUAGE="en")


def descriptions(response) -> list[str]:
    assert response.status_code == 400
    body = response.json()
    assert all(set(error) == {"code", "description"} and error["code"] == 400 for error in body)
    return [error["description"] for error in body]


# Services


def test_services_are_our_categories(web, reference_data):
    response = web.get("/open311/v2/services.json")

    assert response.status_code == 200
    services = {service["service_code"]: service for service in response.json()}
    assert set(services) == {slug for slug, c in reference_data["categories"].items() if c.is_active}
    land = services["dat-dai"]
    assert land["service_name"] == reference_data["categories"]["dat-dai"].name
    assert (land["metadata"], land["type"]) == (True, "realtime")  # attributes: kind, consent to publish


# Posting a request


def test_a_form_encoded_request_becomes_a_routed_case_through_intake(web, reference_data):
    response = post(web)

    assert response.status_code == 201, response.content
    [created] = response.json()
    case = Case.objects.get(tracking_code=created["service_request_id"])
    assert case.channel == "open311" and case.kind == "feedback"
    assert case.agency.code == "SO-NNMT-HN"  # routed like any submission (dat-dai in Hà Nội)
    assert case.area.code == "tinh-01"
    assert case.title == VALID["description"]  # Open311 has no title: the description's start (it is short)
    assert case.body.startswith(VALID["description"])
    assert "Ngõ 12 phố Hàng Bạc, 21.0342, 105.8522" in case.body  # the location stays with the request
    assert case.contact_name == "Lê Văn Nam" and case.contact_phone == "0912345678"
    assert case.events.filter(type="submitted", payload__channel="open311").exists()
    assert created["access_token"] and created["service_notice"]
    assert created["expected_datetime"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"service_code": None}, "service_code: Choose a category."),
        ({"service_code": "khong-co"}, "service_code: Unknown category “khong-co”."),
        ({"description": "ngắn"}, "description: The content must be at least 10 characters."),
        ({"description": None}, "description: Write your question, feedback or petition."),
        ({"first_name": None, "last_name": None}, "first_name: Enter your full name."),
        ({"email": "not-an-email"}, "email: Enter a valid email address."),
        ({"phone": "12345"}, "phone: Enter a Vietnamese phone number"),
        ({"address_id": "xa-99999"}, "address_id: Unknown area “xa-99999”."),
        ({"lat": "north", "long": "105.8"}, "lat: Send latitude and longitude as decimal degrees"),
        ({"lat": "95", "long": "105.8"}, "lat: Send latitude and longitude as decimal degrees"),
        ({"lat": None, "long": None, "address_string": None, "address_id": None}, "address_string: Give a location"),
        ({"attribute[kind]": "complaint"}, "attribute[kind]: Choose question, feedback or petition."),
    ],
)
def test_bad_fields_are_400_with_a_message_naming_the_open311_parameter(web, reference_data, changes, expected):
    response = post(web, **changes)

    assert any(message.startswith(expected) for message in descriptions(response)), response.json()
    assert not Case.objects.exists()


def test_every_problem_is_reported_at_once(web, reference_data):
    problems = descriptions(post(web, service_code="", description="x", first_name="", last_name=""))
    assert [p.split(":")[0] for p in problems] == ["description", "service_code", "first_name"]


def test_a_json_body_that_is_not_json_is_an_open311_error(web, reference_data):
    response = web.post("/open311/v2/requests.json", "{not json", content_type="application/json")
    assert len(descriptions(response)) == 1


def test_an_open311_client_posts_over_http_like_real_clients_do(live_server, reference_data):
    """A real HTTP client, form-encoded, as Open311 libraries send it."""
    with httpx.Client(base_url=f"{live_server.url}/open311/v2/", timeout=10) as client:
        services = client.get("services.json").json()
        assert "dat-dai" in {s["service_code"] for s in services}
        response = client.post("requests.json", data=VALID)
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/json")
    assert Case.objects.filter(tracking_code=response.json()[0]["service_request_id"], channel="open311").exists()


# Reading published answers as service requests


@pytest.fixture
def published(reference_data):
    from tests.support.cases import submit_case

    case, _ = submit_case()
    Case.objects.filter(pk=case.pk).update(status="answered", closed_at=case.received_at)
    answered = make_item(slug="so-do-lan-dau", case=case)
    school = make_item(agency="BO-GDDT", category="giao-duc", slug="lich-thi-lop-10")
    make_item(slug="chua-duyet", status="pending_review")
    make_item(slug="nhap-ve", origin_portal="other.example.vn", origin_id="a-1")
    return {"answered": answered, "school": school, "case": case}


def test_published_items_are_listed_as_closed_service_requests(web, published):
    response = web.get("/open311/v2/requests.json")

    assert response.status_code == 200
    requests = {r["service_request_id"]: r for r in response.json()}
    # A case by its tracking code, an item made from no case by its slug; not pending, not imported.
    code = published["case"].tracking_code
    assert set(requests) == {code, "lich-thi-lop-10"}
    land = requests[code]
    item = published["answered"]
    assert land["status"] == "closed"
    assert land["service_code"] == "dat-dai"
    assert land["description"] == item.question
    assert land["status_notes"] == item.answer
    assert land["agency_responsible"] == item.agency.name
    assert "so-do-lan-dau" in land["service_notice"]
    assert land["requested_datetime"] and land["updated_datetime"]
    assert land["media_url"] == ""


def test_the_list_filters_by_service_id_date_and_status(web, published):
    by_service = web.get("/open311/v2/requests.json", {"service_code": "giao-duc"}).json()
    assert [r["service_request_id"] for r in by_service] == ["lich-thi-lop-10"]

    by_ids = web.get("/open311/v2/requests.json", {"service_request_id": "lich-thi-lop-10,khong-co"}).json()
    assert [r["service_request_id"] for r in by_ids] == ["lich-thi-lop-10"]

    assert web.get("/open311/v2/requests.json", {"status": "open"}).json() == []
    assert len(web.get("/open311/v2/requests.json", {"status": "open,closed"}).json()) == 2
    assert web.get("/open311/v2/requests.json", {"start_date": "2099-01-01T00:00:00Z"}).json() == []
    assert len(web.get("/open311/v2/requests.json", {"end_date": "2099-01-01"}).json()) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service_code": "khong-co"}, "service_code: Unknown service"),
        ({"start_date": "hôm qua"}, "start_date: Use an ISO 8601 date"),
        ({"end_date": "2026-13-45"}, "end_date: Use an ISO 8601 date"),
        ({"start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date: The end date is before the start date."),
        ({"status": "pending"}, "status: Use open or closed."),
        ({"service_request_id": ",".join(f"x{i}" for i in range(101))}, "service_request_id: Ask for at most"),
    ],
)
def test_bad_list_parameters_are_400(web, published, params, expected):
    response = web.get("/open311/v2/requests.json", params, HTTP_ACCEPT_LANGUAGE="en")
    assert any(message.startswith(expected) for message in descriptions(response))


def test_one_request_by_the_tracking_code_the_client_was_given_or_by_its_old_slug(web, published):
    code = published["case"].tracking_code
    by_slug = web.get("/open311/v2/requests/so-do-lan-dau.json")
    assert by_slug.status_code == 200
    assert [r["service_request_id"] for r in by_slug.json()] == [code]

    by_code = web.get(f"/open311/v2/requests/{code}.json")
    assert [r["service_request_id"] for r in by_code.json()] == [code]


@pytest.mark.parametrize("request_id", ["khong-co", "chua-duyet", "nhap-ve"])
def test_unknown_unpublished_or_imported_requests_are_404_in_open311_format(web, published, request_id):
    response = web.get(f"/open311/v2/requests/{request_id}.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404 and error["description"].startswith("service_request_id:")


def test_a_case_not_yet_published_shows_its_status_but_not_its_text(web, reference_data):
    from tests.support.cases import submit_case

    case, _ = submit_case()
    [shown] = web.get(f"/open311/v2/requests/{case.tracking_code}.json").json()

    assert (shown["service_request_id"], shown["status"], shown["service_code"]) == (
        case.tracking_code,
        "open",
        "dat-dai",
    )
    assert shown["description"] == "" and shown["status_notes"]  # the public label of its status
    assert case.contact_name not in str(shown) and case.body not in str(shown)


@pytest.mark.parametrize("persona", ["citizen", "official_a", "official_b", "leader", "moderator", "admin", None])
def test_open311_is_the_same_for_every_role_and_records_no_account(personas, published, persona):
    """Open311 clients are anonymous: being logged in on the portal changes nothing, and needs no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    if persona:
        client.force_login(personas[persona])

    assert len(client.get("/open311/v2/requests.json").json()) == 2
    response = post(client)
    assert response.status_code == 201
    case = Case.objects.get(tracking_code=response.json()[0]["service_request_id"])
    assert case.submitter is None


def test_the_open311_endpoints_are_in_the_api_schema(web):
    schema = web.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/open311/v2/services.json", "/open311/v2/requests.json", "/open311/v2/requests/{request_id}.json"} <= set(
        schema["paths"]
    )
