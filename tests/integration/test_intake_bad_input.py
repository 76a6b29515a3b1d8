"""Every invalid submission gets a 400 with field-level messages in the user's language and stores nothing."""

from pathlib import Path

import pytest
from caunoi.cases.models import Attachment, Case, CaseEvent

from tests.support import files

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "question",
    "title": "Hỏi về thủ tục",
    "body": "Xin hỏi thủ tục cấp giấy phép xây dựng gồm những gì?",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Trần Thị Bình",
}


@pytest.fixture
def nothing_stored(reference_data, _private_media):
    yield
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    media = Path(_private_media)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def post_multipart(api, data, attachments, language="vi"):
    return api.post(
        "/api/v1/cases/", {**data, "attachments": attachments}, format="multipart", HTTP_ACCEPT_LANGUAGE=language
    )


def test_missing_fields_in_vietnamese_by_default(api, nothing_stored):
    response = api.post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"kind", "title", "body", "category", "name"}
    assert body["title"] == ["Nhập tiêu đề."]


def test_missing_fields_in_english_when_asked(api, nothing_stored):
    response = api.post("/api/v1/cases/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["title"] == ["Enter a title."]
    assert response.json()["category"] == ["Choose a category."]


def test_unknown_category_and_area(api, nothing_stored):
    response = api.post(
        "/api/v1/cases/", {**VALID, "category": "no-such", "area": "tinh-99"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"category": ["Unknown category “no-such”."], "area": ["Unknown area “tinh-99”."]}


def test_bad_kind_email_and_phone(api, nothing_stored):
    response = api.post(
        "/api/v1/cases/",
        {**VALID, "kind": "complaint", "email": "not-an-email", "phone": "12345"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.json()
    assert response.status_code == 400
    assert body["kind"] == ["Choose question, feedback or petition."]
    assert body["email"] == ["Enter a valid email address."]
    assert body["phone"][0].startswith("Enter a Vietnamese phone number")


def test_malformed_json(api, nothing_stored):
    response = api.generic("POST", "/api/v1/cases/", '{"kind": "question",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_disguised_attachment_is_refused(api, nothing_stored):
    response = post_multipart(api, VALID, [files.upload("hoa-don.pdf", files.exe_bytes())], language="en")
    assert response.status_code == 400
    assert response.json()["attachments"] == [
        "“hoa-don.pdf” is not an accepted file type. Accepted: DOC, DOCX, JPEG, JPG, PDF, PNG, XLS, XLSX."
    ]


def test_an_image_named_as_a_pdf_is_refused(api, nothing_stored):
    response = post_multipart(api, VALID, [files.upload("scan.pdf", files.png_bytes())], language="en")
    assert response.json()["attachments"] == ["“scan.pdf” does not contain what its name says (its content is PNG)."]


def test_a_zip_archive_named_docx_is_refused(api, nothing_stored):
    response = post_multipart(api, VALID, [files.upload("report.docx", files.plain_zip_bytes())], language="en")
    assert response.status_code == 400
    assert "is not an accepted file type" in response.json()["attachments"][0]


def test_oversized_attachment(api, settings, nothing_stored):
    settings.ATTACHMENT_MAX_BYTES = 2048
    big = files.pdf_bytes() + b"0" * 4096
    response = post_multipart(api, VALID, [files.upload("big.pdf", big)], language="en")
    assert response.status_code == 400
    assert response.json()["attachments"] == ["“big.pdf” is 4.0\xa0KB; the largest file accepted is 2.0\xa0KB."]


def test_too_many_attachments(api, settings, nothing_stored):
    settings.ATTACHMENT_MAX_COUNT = 2
    uploads = [files.upload(f"p{i}.png", files.png_bytes()) for i in range(3)]
    response = post_multipart(api, VALID, uploads, language="en")
    assert response.json()["attachments"] == ["Attach at most 2 files."]


def test_one_bad_file_among_good_ones_stores_none_of_them(api, nothing_stored):
    uploads = [files.upload("ok.png", files.png_bytes()), files.upload("bad.xlsx", files.exe_bytes())]
    response = post_multipart(api, VALID, uploads, language="en")
    assert response.status_code == 400
    assert len(response.json()["attachments"]) == 1


def test_a_failure_after_files_were_written_removes_them(api, reference_data, _private_media, monkeypatch):
    from caunoi.cases.models import CaseEvent as Event

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Event.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        post_multipart(api, VALID, [files.upload("ok.png", files.png_bytes())])
    assert Case.objects.count() == 0
    assert not any(p.is_file() for p in Path(_private_media).rglob("*"))
