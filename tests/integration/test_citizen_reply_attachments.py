"""A citizen attaches the documents the agency asked for to their reply, on the track page or by API. The files
get the intake's checks; staff see them with the reply on the case page and download them."""

import pytest
from caunoi.cases.models import Attachment, Message
from caunoi.cases.services import case_claim, case_request_info
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.cases import submit_case
from tests.support.files import pdf_bytes

pytestmark = pytest.mark.django_db


def _waiting(personas):
    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin gửi bản sao sổ đỏ.")
    return case, token


def test_a_reply_on_the_track_page_brings_its_files_to_staff(web, personas, reference_data):
    case, token = _waiting(personas)
    web.post("/track/", {"code": case.tracking_code, "token": token})
    upload = SimpleUploadedFile("so-do.pdf", pdf_bytes(), content_type="application/pdf")
    response = web.post(f"/track/{case.tracking_code}/reply/", {"body": "Tôi gửi bản sao.", "attachments": [upload]})
    assert response.status_code == 302
    reply = Message.objects.get(case=case, direction="from_citizen")
    attachment = Attachment.objects.get(message=reply)
    assert attachment.original_name == "so-do.pdf" and attachment.case_id == case.pk

    page = web.get(f"/track/{case.tracking_code}/").content.decode()
    assert f"/track/{case.tracking_code}/attachments/{attachment.pk}/" in page

    official = type(web)()
    official.force_login(personas["official_a"])
    staff_page = official.get(f"/staff/cases/{case.pk}/").content.decode()
    link = f"/staff/cases/{case.pk}/attachments/{attachment.pk}/"
    assert link in staff_page
    download = official.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()
    other = type(web)()
    other.force_login(personas["official_b"])
    assert other.get(link).status_code == 404


def test_a_refused_file_keeps_the_reply_and_says_why(web, personas, reference_data):
    case, token = _waiting(personas)
    web.post("/track/", {"code": case.tracking_code, "token": token})
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = web.post(f"/track/{case.tracking_code}/reply/", {"body": "Bản sao đính kèm.", "attachments": [bad]})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_reply_attachments-error"' in html and "virus.exe" in html
    assert "Bản sao đính kèm." in html
    assert not Message.objects.filter(case=case, direction="from_citizen").exists()
    assert not Attachment.objects.filter(case=case).exists()


def test_a_reply_by_api_may_carry_files(api, personas, reference_data):
    case, token = _waiting(personas)
    upload = SimpleUploadedFile("giay-to.pdf", pdf_bytes(), content_type="application/pdf")
    response = api.post(
        f"/api/v1/cases/track/{case.tracking_code}/reply/",
        {"body": "Đã gửi.", "attachments": [upload]},
        format="multipart",
        HTTP_X_ACCESS_TOKEN=token,
    )
    assert response.status_code == 200, response.content
    files = response.json()["messages"][-1]["attachments"]
    assert [f["name"] for f in files] == ["giay-to.pdf"]
