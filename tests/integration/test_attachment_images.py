"""Pictures are stored without what phones hide in them (GPS position, camera, owner), upright, and a file
that only pretends to be a picture is refused with a message naming it."""

import io

import pytest
from caunoi.cases.models import Case
from PIL import Image

from tests.support import files

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "feedback",
    "title": "Cây đổ chắn đường",
    "body": "Cây xanh bị đổ chắn ngang đường sau cơn bão tối qua.",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Phạm Thị Dung",
}


def stored_picture(api, name: str, content: bytes) -> Image.Image:
    response = api.post("/api/v1/cases/", {**VALID, "attachments": [files.upload(name, content)]}, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = Case.objects.get(tracking_code=response.json()["tracking_code"]).attachments.get()
    stored = attachment.file.read()
    assert attachment.size == len(stored)
    return Image.open(io.BytesIO(stored))


@pytest.mark.parametrize(("name", "image_format"), [("anh.jpg", "JPEG"), ("anh.png", "PNG")])
def test_metadata_is_removed_and_the_picture_kept(api, reference_data, name, image_format):
    original = files.photo_bytes(image_format)
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF with GPS

    picture = stored_picture(api, name, original)

    assert picture.format == image_format
    assert dict(picture.getexif()) == {}
    assert "Author" not in picture.info
    assert picture.size == (40, 20)
    assert picture.convert("RGB").getpixel((10, 10))[0] > 150  # still the red picture


def test_a_sideways_phone_photo_is_stored_upright(api, reference_data):
    picture = stored_picture(api, "anh.jpg", files.photo_bytes(orientation=6))  # "rotate 90° to display"
    assert picture.size == (20, 40)


def test_a_file_that_only_looks_like_a_picture_is_refused(api, reference_data):
    broken = files.photo_bytes()[:40]  # a JPEG header, then nothing
    response = api.post(
        "/api/v1/cases/",
        {**VALID, "attachments": [files.upload("anh.jpg", broken)]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "anh.jpg" in str(response.json()["attachments"])
    assert Case.objects.count() == 0
