# ruff: noqa: S314  (parses the answers of our own test server)
"""Open311 GeoReport v2 as a third-party client library calls it (`georeport`, in XML and JSON), and the
parts of the specification it does not cover (POST, tokens, discovery, filters) as a client sends them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from caunoi.cases.models import Case
from georeport import GeoReport

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db(transaction=True)

POST = {
    "service_code": "dat-dai",
    "description": "Bãi đất trống cạnh chợ bị đổ phế thải xây dựng nhiều ngày nay, đề nghị kiểm tra.",
    "address_string": "Ngõ 12 phố Hàng Bạc",
    "address_id": "tinh-01",
    "first_name": "Lê",
    "last_name": "Văn Nam",
    "email": "le.nam@example.vn",
    "attribute[kind]": "question",
}


@pytest.fixture
def root(live_server, reference_data) -> str:
    return f"{live_server.url}/open311/v2"


@pytest.mark.parametrize("output_format", ["xml", "json"])
def test_the_client_lists_services_and_reads_their_definitions(root, output_format):
    client = GeoReport(root, output_format=output_format)

    services = client.get_service_list()
    definition = client.get_service_definition("dat-dai")

    assert "dat-dai" in {s["service_code"] for s in services}
    assert definition["service_code"] == "dat-dai"
    attributes = definition["attributes"]
    if output_format == "xml":  # xmltodict: <attributes><attribute>…</attribute></attributes>
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["kind", "consent_to_publish"]


@pytest.mark.parametrize("output_format", ["xml", "json"])
def test_the_id_from_post_is_the_id_of_get_one_and_of_the_list(root, output_format):
    created = requests.post(f"{root}/requests.{output_format}", data=POST, timeout=10)
    assert created.status_code == 201
    if output_format == "xml":
        request = ET.fromstring(created.content).find("request")
        request_id = request.findtext("service_request_id")
        assert request.findtext("token")
    else:
        request_id = created.json()[0]["service_request_id"]
    client = GeoReport(root, output_format=output_format)

    one = client.get_service_request(request_id)
    listed = client.get_service_requests(service_request_id=request_id)

    assert one["service_request_id"] == request_id
    assert (one["status"], one["service_code"]) == ("open", "dat-dai")
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives one element as a dict
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert Case.objects.get(tracking_code=request_id).channel == "open311"


def test_the_list_filters_by_status_service_and_dates_as_the_client_sends_them(root, personas):
    from caunoi.cases.services import case_reject

    open_case, _ = submit_case()
    school, _ = submit_case(category="giao-duc", title="Hỏi về lịch thi vào lớp 10 năm nay")
    closed, _ = submit_case(title="Hỏi về một việc không thuộc thẩm quyền")
    case_reject(case=closed, by=personas["admin"], reason="Không thuộc thẩm quyền.", pointer="Luật Khiếu nại")
    client = GeoReport(root)

    def ids(**filters):
        return {r["service_request_id"] for r in client.get_service_requests(**filters)}

    assert ids() == {open_case.tracking_code, school.tracking_code, closed.tracking_code}
    assert ids(status="closed") == {closed.tracking_code}
    assert ids(status="open") == {open_case.tracking_code, school.tracking_code}
    assert ids(service_code="giao-duc") == {school.tracking_code}
    assert ids(start_date="2099-01-01T00:00:00Z") == set()
    assert ids(end_date="2000-01-01T00:00:00Z") == set()
    several = f"{open_case.tracking_code},{school.tracking_code}"
    assert ids(service_request_id=several, status="closed") == {open_case.tracking_code, school.tracking_code}


def test_a_closed_request_says_so_with_notes(root, personas):
    from caunoi.cases.services import case_reject

    case, _ = submit_case()
    case_reject(case=case, by=personas["admin"], reason="Không thuộc thẩm quyền.", pointer="Luật Khiếu nại")

    shown = GeoReport(root).get_service_request(case.tracking_code)

    assert shown["status"] == "closed"
    assert shown["status_notes"]


def test_a_token_from_post_gives_the_request_id(root):
    created = requests.post(f"{root}/requests.json", data=POST, timeout=10).json()[0]

    json_answer = requests.get(f"{root}/tokens/{created['token']}.json", timeout=10)
    xml_answer = requests.get(f"{root}/tokens/{created['token']}.xml", timeout=10)
    forged = requests.get(f"{root}/tokens/{created['token']}x.json", timeout=10)

    assert json_answer.json() == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
    assert ET.fromstring(xml_answer.content).findtext("request/service_request_id") == created["service_request_id"]
    assert forged.status_code == 404


def test_discovery_names_the_endpoint_and_both_formats(root):
    as_json = requests.get(f"{root}/discovery.json", timeout=10).json()
    as_xml = ET.fromstring(requests.get(f"{root}/discovery.xml", timeout=10).content)

    [endpoint] = as_json["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert [f.text for f in as_xml.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_errors_in_xml_are_open311_errors(root):
    response = requests.post(f"{root}/requests.xml", data={**POST, "service_code": "khong-co"}, timeout=10)
    missing = requests.get(f"{root}/requests/HD-2000-000001.xml", timeout=10)

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/xml")
    errors = ET.fromstring(response.content)
    assert errors.tag == "errors"
    assert errors.findtext("error/description").startswith("service_code:")
    assert (missing.status_code, ET.fromstring(missing.content).findtext("error/code")) == (404, "404")


def test_a_parameter_open311_does_not_define_is_refused_by_name(root):
    response = requests.post(
        f"{root}/requests.json", data={**POST, "attribute[consent]": "true", "nickname": "x"}, timeout=10
    )

    assert response.status_code == 400
    descriptions = [e["description"] for e in response.json()]
    assert any(d.startswith("attribute[consent]:") for d in descriptions)
    assert any(d.startswith("nickname:") for d in descriptions)
    assert not Case.objects.exists()
