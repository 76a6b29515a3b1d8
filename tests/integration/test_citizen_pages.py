"""The citizen's web form and track pages: same rules as the API, errors beside the fields, input kept."""

import re

import pytest
from caunoi.cases.models import Case

from tests.support import files

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "petition",
    "title": "Đề nghị lắp đèn chiếu sáng ngõ 12",
    "body": "Ngõ 12 phố Lý Thái Tổ không có đèn, buổi tối rất nguy hiểm cho người đi bộ.",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Đỗ Thị Hoa",
    "email": "hoa@example.org",
    "phone": "024 3825 1234",
    "consent_to_publish": "true",
}


def test_the_form_is_in_vietnamese_by_default_and_english_on_request(web, reference_data):
    vi = web.get("/submit/")
    assert vi.status_code == 200
    assert b'lang="vi"' in vi.content
    en = web.get("/submit/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'lang="en"' in en.content


def test_a_valid_submission_shows_the_tracking_code_and_deadline(web, reference_data):
    response = web.post("/submit/", {**FORM, "attachments": [files.upload("anh.png", files.png_bytes())]})
    assert response.status_code == 302
    assert response["Location"] == "/submit/done/"
    case = Case.objects.get()
    assert case.channel == "web"
    assert case.consent_to_publish is True
    assert case.attachments.count() == 1
    done = web.get("/submit/done/")
    html = done.content.decode()
    assert case.tracking_code in html
    assert case.agency.name in html
    assert case.due_at.strftime("%Y-%m-%d") in html


def test_errors_are_shown_beside_fields_and_input_is_kept(web, reference_data):
    response = web.post(
        "/submit/", {**FORM, "title": "", "category": "khong-co", "phone": "12"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_title"' in html
    assert "Enter a title." in html
    assert "Unknown category “khong-co”." in html
    assert "Enter a Vietnamese phone number" in html
    assert "Ngõ 12 phố Lý Thái Tổ không có đèn" in html  # what the citizen typed is still there
    assert 'value="Đỗ Thị Hoa"' in html
    assert Case.objects.count() == 0


def test_an_unchosen_category_asks_for_one(web, reference_data):
    response = web.post("/submit/", {**FORM, "category": "", "area": ""}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Choose a category." in html
    assert "Unknown" not in html


def test_a_rejected_file_asks_the_citizen_to_choose_files_again(web, reference_data):
    response = web.post(
        "/submit/", {**FORM, "attachments": [files.upload("virus.pdf", files.exe_bytes())]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "“virus.pdf” is not an accepted file type." in response.content.decode()
    assert response.context["files_dropped"] is True
    assert Case.objects.count() == 0


def test_the_track_link_on_the_confirmation_page_opens_the_case(web, reference_data):
    web.post("/submit/", FORM)
    done = web.get("/submit/done/").content.decode()
    code, token = re.search(r"/track/\?code=([A-Z]{2}-\d{4}-\d{6})#token=([\w-]+)", done).groups()
    other_browser = type(web)()
    # The fragment never reaches the server: the page's script posts it, as this does.
    first = other_browser.post("/track/", {"code": code, "token": token})
    assert first.status_code == 302 and token not in first["Location"]
    page = other_browser.get(first["Location"])
    assert page.status_code == 200
    assert FORM["title"] in page.content.decode()


def test_the_track_form_needs_code_and_access_code(web, reference_data):
    web.post("/submit/", FORM)
    case = Case.objects.get()
    stranger = type(web)()
    assert stranger.get(f"/track/{case.tracking_code}/").status_code == 302  # back to the form
    wrong = stranger.post("/track/", {"code": case.tracking_code, "token": "guess"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 404
    assert "No case matches this tracking code and access code." in wrong.content.decode()
    missing = stranger.post("/track/", {"code": case.tracking_code, "token": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert "Enter the access code." in missing.content.decode()


def test_the_staff_case_page_explains_routing_and_the_due_date(web, personas, reference_data):
    web.post("/submit/", {**FORM, "category": "dat-dai", "kind": "question"})
    case = Case.objects.get()
    official = type(web)()
    official.force_login(personas["official_a"])
    html = official.get(f"/staff/cases/{case.id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hanoi-land" in html
    assert "43/2011" in html
    other = type(web)()
    other.force_login(personas["official_b"])
    assert other.get(f"/staff/cases/{case.id}/").status_code == 404
    anonymous = type(web)()
    assert anonymous.get(f"/staff/cases/{case.id}/").status_code == 302
