"""Attachments cannot hurt the staff who open them: archives that would expand too far or carry macros or
programs are refused, PDFs with active content are refused or held as suspicious, and pictures keep no
metadata segment at all. Refusals are field-level 400s that keep what the person typed."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from caunoi.accounts.models import Role
from caunoi.cases.models import Case
from django.test import Client
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.support import files

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "feedback",
    "title": "Hồ sơ xin cấp phép",
    "body": "Tôi gửi kèm hồ sơ để cơ quan xem xét giúp.",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Phạm Thị Dung",
}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of embedded "Package" objects
DOCX_TYPES = (
    b'<Types><Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx(extra: dict[str, bytes], *, types: bytes = DOCX_TYPES) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, content in extra.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def send(api, name: str, content: bytes):
    return api.post(
        "/api/v1/cases/",
        {**VALID, "attachments": [files.upload(name, content)]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def refused(response, name: str) -> str:
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["attachments"])
    assert name in message
    assert Case.objects.count() == 0
    return message


def test_a_docx_that_expands_far_beyond_its_size_is_refused(api, reference_data):
    bomb = docx({"word/media/image1.bin": bytes(300 * 1024 * 1024)})  # 300 MB of zeros in ~300 KB
    assert len(bomb) < 4 * 1024 * 1024
    assert "expand" in refused(send(api, "don.docx", bomb), "don.docx")


def _declare_size(archive: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s uncompressed size rewritten in its local and central headers."""
    data = bytearray(archive)
    encoded = member.encode()
    local = 0
    while True:
        local = data.find(b"PK\x03\x04", local)
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_length]) == encoded:
            struct.pack_into("<I", data, local + 22, size)
            break
        local += 4
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_a_docx_declaring_four_gibibytes_is_refused_without_expanding_it(api, reference_data):
    honest = docx({"word/media/image1.bin": bytes(1024 * 1024)})
    lying = _declare_size(honest, "word/media/image1.bin", 0xFFFFFFF0)
    refused(send(api, "don.docx", lying), "don.docx")


def test_a_docx_whose_content_is_bigger_than_it_declares_is_refused(api, reference_data):
    honest = docx({"word/media/image1.bin": bytes(2 * 1024 * 1024)})
    lying = _declare_size(honest, "word/media/image1.bin", 1000)
    refused(send(api, "don.docx", lying), "don.docx")


@pytest.mark.parametrize(
    ("name", "extra", "types"),
    [
        ("macro.docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, DOCX_TYPES),
        ("macro2.docx", {"word/VBAPROJECT.BIN": b"macro"}, DOCX_TYPES),
        ("exe.docx", {"word/embeddings/setup.exe": files.exe_bytes()}, DOCX_TYPES),
        (
            "mz.docx",
            {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100},
            DOCX_TYPES,
        ),
        ("hidden.docx", {"word/media/picture.png": files.exe_bytes()}, DOCX_TYPES),
        ("docm.docx", {}, DOCX_TYPES.replace(b"document.main+xml", b"document.macroEnabled.main+xml")),
    ],
)
def test_office_files_with_macros_or_programs_are_refused(api, reference_data, name, extra, types):
    refused(send(api, name, docx(extra, types=types)), name)


def test_an_ordinary_docx_with_a_picture_is_accepted(api, reference_data):
    response = send(api, "don.docx", docx({"word/media/image1.png": files.png_bytes()}))
    assert response.status_code == 201, response.json()


def pdf(*objects: bytes) -> bytes:
    body = b"%PDF-1.7\n"
    for number, content in enumerate(objects, start=1):
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def flate_stream(content: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(content)
    return b"<< /Filter /FlateDecode /Length %d %s >>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"


@pytest.mark.parametrize(
    "content",
    [
        pdf(b"<< /Type /Catalog /Names << /JavaScript 2 0 R >> >>", b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        pdf(b"<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>"),
        pdf(b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>", b"<< /Type /EmbeddedFile >>"),
        pdf(b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /JS (x) >> >>"),  # a name written in hex
        pdf(b"<< /Type /Catalog >>", flate_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>", b"/Type /ObjStm")),
        pdf(b"<< /Type /Catalog >>") + b"<html><body><script>alert(1)</script></body></html>",
    ],
    ids=["javascript", "launch", "embedded-file", "hex-name", "compressed-object-stream", "html"],
)
def test_pdfs_with_active_content_are_refused(api, reference_data, content):
    message = refused(send(api, "don.pdf", content), "don.pdf")
    assert "active content" in message


def test_a_pdf_with_an_opening_action_is_held_as_suspicious(api, reference_data):
    content = pdf(b"<< /Type /Catalog /OpenAction << /S /GoTo /D [3 0 R /Fit] >> >>")
    response = send(api, "don.pdf", content)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(tracking_code=response.json()["tracking_code"])
    attachment = case.attachments.get()
    assert "OpenAction" in attachment.suspicious_reason
    staff_user = make_user("official-of-case", Role.OFFICIAL, [case.agency])
    staff = Client()
    staff.force_login(staff_user)
    page = staff.get(f"/staff/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Suspicious file" in page.content.decode()
    download = staff.get(f"/staff/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    detail = APIClient()
    detail.force_authenticate(staff_user)
    described = detail.get(f"/api/v1/cases/{case.pk}/").json()["attachments"][0]
    assert "OpenAction" in described["suspicious_reason"]


def test_a_plain_pdf_is_accepted_unflagged(api, reference_data):
    response = send(api, "don.pdf", pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] >>"))
    assert response.status_code == 201, response.json()
    assert Case.objects.get().attachments.get().suspicious_reason == ""


def stored_picture(api, name: str, content: bytes) -> tuple[Image.Image, bytes]:
    response = send(api, name, content)
    assert response.status_code == 201, response.json()
    stored = Case.objects.get(tracking_code=response.json()["tracking_code"]).attachments.get().file.read()
    return Image.open(io.BytesIO(stored)), stored


def test_a_jpeg_comment_and_colour_profile_do_not_survive(api, reference_data):
    from PIL import ImageCms

    buffer = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description Author="Nguyen Van A"/></x:xmpmeta>'
    Image.new("RGB", (40, 20), (200, 30, 30)).save(
        buffer, format="JPEG", comment=b"secret: Nguyen Van A, 0912345678", icc_profile=profile, xmp=xmp
    )
    original = buffer.getvalue()
    assert b"0912345678" in original

    picture, stored = stored_picture(api, "anh.jpg", original)

    assert b"0912345678" not in stored and b"Nguyen Van A" not in stored
    assert "comment" not in picture.info and "icc_profile" not in picture.info and "xmp" not in picture.info
    # Only the segments a picture needs: no COM (0xFFFE), no APPn (0xFFE0–0xFFEF) beyond the JFIF header.
    markers = _jpeg_markers(stored)
    assert 0xFFFE not in markers
    assert [m for m in markers if 0xFFE1 <= m <= 0xFFEF] == []


def _jpeg_markers(data: bytes) -> list[int]:
    markers, position = [], 2
    while position + 4 <= len(data):
        marker, length = struct.unpack_from(">HH", data, position)
        markers.append(marker)
        if marker == 0xFFDA:  # start of scan: the picture data follows
            break
        position += 2 + length
    return markers


def test_png_text_and_colour_profile_chunks_do_not_survive(api, reference_data):
    from PIL import ImageCms

    text = PngInfo()
    text.add_text("Comment", "Nguyen Van A 0912345678")
    text.add_itxt("Description", "Địa chỉ nhà riêng")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format="PNG", pnginfo=text, icc_profile=profile)

    picture, stored = stored_picture(api, "anh.png", buffer.getvalue())

    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf", b"tIME"):
        assert chunk not in stored
    assert picture.convert("RGB").getpixel((10, 10))[0] > 150


def test_the_web_form_names_the_file_and_keeps_what_was_typed(reference_data):
    bad = docx({"word/vbaProject.bin": b"macro"})
    page = Client().post("/submit/", {**VALID, "attachments": [files.upload("hoso.docx", bad)]})
    assert page.status_code == 400
    html = page.content.decode()
    assert "hoso.docx" in html
    assert "Hồ sơ xin cấp phép" in html
    assert "macro" in html.lower()
    assert Case.objects.count() == 0
