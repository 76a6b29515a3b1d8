"""Accepted attachment types are stored privately and served only to those allowed."""

import pytest
from caunoi.cases.models import Case

from tests.support import files

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "feedback",
    "title": "Ô nhiễm tiếng ồn",
    "body": "Công trường thi công ban đêm gây ồn ào, ô nhiễm.",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
}


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("anh.png", files.png_bytes(), "image/png"),
        ("don.pdf", files.pdf_bytes(), "application/pdf"),
        ("don.docx", files.docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("bang.xlsx", files.xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "application/msword"),
    ],
)
def test_accepted_types_are_stored_with_their_sniffed_type(api, reference_data, name, content, content_type):
    response = api.post("/api/v1/cases/", {**VALID, "attachments": [files.upload(name, content)]}, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = Case.objects.get(tracking_code=response.json()["tracking_code"]).attachments.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert attachment.size == attachment.file.size  # pictures are written afresh (test_attachment_images.py)
    if not content_type.startswith("image/"):
        assert attachment.file.read() == content
    assert name not in attachment.file.name  # stored under an unguessable name


@pytest.fixture
def case_with_file(api, reference_data):
    response = api.post(
        "/api/v1/cases/", {**VALID, "attachments": [files.upload("anh.png", files.png_bytes())]}, format="multipart"
    )
    body = response.json()
    case = Case.objects.get(tracking_code=body["tracking_code"])
    return case, body["access_token"], case.attachments.get()


def test_the_citizen_downloads_with_the_access_code(api, case_with_file):
    case, token, attachment = case_with_file
    url = f"/api/v1/cases/track/{case.tracking_code}/attachments/{attachment.id}/"
    response = api.get(url, HTTP_X_ACCESS_TOKEN=token)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == attachment.file.read()  # the picture as stored
    assert response["Content-Type"] == "image/png"
    assert api.get(url, HTTP_X_ACCESS_TOKEN="wrong").status_code == 404


def test_staff_of_the_agency_may_download_others_may_not(personas, case_with_file):
    case, _token, attachment = case_with_file
    url = f"/staff/cases/{case.id}/attachments/{attachment.id}/"
    expected = {"official_a": 200, "leader": 200, "admin": 200, "official_b": 404, "citizen": 404, "moderator": 404}
    for persona, status in expected.items():
        from django.test import Client

        client = Client()
        client.force_login(personas[persona])
        assert client.get(url).status_code == status, persona


def test_media_files_are_not_served_directly(api, case_with_file):
    _case, _token, attachment = case_with_file
    assert api.get(f"/media/{attachment.file.name}").status_code == 404
    assert api.get(f"/media-not-served/{attachment.file.name}").status_code == 404
