"""Citizens choose a commune or ward: province first, then its communes, a list filled by the server for the
chosen province (no JavaScript needed; the script fills it at once). The API takes a province or a commune."""

import pytest
from caunoi.cases.models import Case

pytestmark = pytest.mark.django_db

FORM = {"kind": "feedback", "title": "Đèn đường hỏng", "body": "Đèn đường ở ngõ 12 bị hỏng một tháng.",
        "category": "xay-dung", "name": "Vũ Thị Mai"}  # fmt: skip


def test_the_province_step_lists_its_communes_and_keeps_the_form(web, reference_data):
    response = web.post("/submit/", {**FORM, "province": "tinh-01", "show_communes": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="commune"' in html and 'value="xa-00070"' in html and "Phường Hoàn Kiếm" in html
    assert "Đèn đường ở ngõ 12 bị hỏng một tháng." in html
    assert 'class="error-summary"' not in html
    assert not Case.objects.exists()


def test_a_commune_chosen_is_the_case_area(web, reference_data):
    assert web.post("/submit/", {**FORM, "province": "tinh-01", "commune": "xa-00070"}).status_code == 302
    assert Case.objects.get().area.code == "xa-00070"


def test_a_province_alone_is_the_case_area(web, reference_data):
    assert web.post("/submit/", {**FORM, "province": "tinh-44", "commune": ""}).status_code == 302
    assert Case.objects.get().area.code == "tinh-44"


def test_a_commune_of_another_province_is_refused_beside_the_field(web, reference_data):
    response = web.post("/submit/", {**FORM, "province": "tinh-44", "commune": "xa-00070"})
    assert response.status_code == 400
    assert 'id="id_commune-error"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_communes_of_a_province_as_json(web, reference_data):
    body = web.get("/submit/communes/", {"province": "tinh-01"}).json()
    assert [c["code"] for c in body["communes"]] == ["xa-00004", "xa-00070"]  # by name: Ba Đình, Hoàn Kiếm
    assert web.get("/submit/communes/", {"province": "nowhere"}).json() == {"communes": []}


def test_the_api_takes_a_commune(api, reference_data):
    payload = {**FORM, "area": "xa-00070"}
    response = api.post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get().area.code == "xa-00070"


def test_enter_in_a_field_sends_once_the_communes_are_listed(web, reference_data):
    """Without JavaScript, Enter in a text field presses the form's first button, "show its communes": once
    the communes of the province are on the page (or no province is chosen) it sends the form."""
    listed = {**FORM, "province": "tinh-01", "commune": "xa-00070", "communes_for": "tinh-01", "show_communes": "1"}
    assert web.post("/submit/", listed).status_code == 302
    assert Case.objects.get().area.code == "xa-00070"
    other = {**FORM, "title": "Hỏi khác hẳn", "province": "", "show_communes": "1", "submission_key": "k" * 32}
    assert web.post("/submit/", other).status_code == 302
    assert Case.objects.count() == 2
