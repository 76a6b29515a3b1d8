"""Administrators create and configure sites in the admin, without a code change: the host must be allowed
by ALLOWED_HOSTS, a site cannot be its own ancestor, a component's subtree lies inside its parent's, the
header colour keeps white text readable, and the logo is stored re-encoded as a small PNG."""

from __future__ import annotations

import io

import pytest
from caunoi.portals.models import Portal
from caunoi.portals.selectors import site_for_host
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.support.files import photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # The assertions read the English messages; the site's default language is Vietnamese.
    settings.LANGUAGE_CODE = "en"


ADD = "/admin/portals/portal/add/"
LIST = "/admin/portals/portal/"


@pytest.fixture
def allowed(settings):
    settings.ALLOWED_HOSTS = [".test", "testserver", "vinhlong.gov.vn"]


@pytest.fixture
def parent(allowed):
    return Portal.objects.create(host="portal.test", name="Cổng thông tin Chính phủ", is_default=True)


def form(**changes) -> dict[str, object]:
    return {"host": "hanoi.test", "name": "Cổng Hà Nội", "name_en": "", "is_active": "on",
            "primary_colour": "#0b3a66", "accent_colour": "#f9a825", **changes}  # fmt: skip


def errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form was accepted"
    return {field: list(messages) for field, messages in response.context["adminform"].form.errors.items()}


def test_an_administrator_adds_a_component_site_that_is_served_at_once(admin_client, parent, reference_data):
    hanoi = reference_data["agencies"]["UBND-HN"]
    response = admin_client.post(ADD, form(agency=hanoi.pk, parent=parent.pk))
    assert response.status_code == 302, errors(response)
    site = site_for_host("hanoi.test")
    assert site.name == "Cổng Hà Nội" and site.agency_path == hanoi.path and site.parent_id == parent.pk


def test_a_host_outside_allowed_hosts_is_refused_with_a_clear_message(admin_client, allowed):
    found = errors(admin_client.post(ADD, form(host="tphcm.chinhphu.vn")))
    assert "tphcm.chinhphu.vn is not in ALLOWED_HOSTS" in found["host"][0]
    assert "Add it to the ALLOWED_HOSTS environment variable" in found["host"][0]
    assert not Portal.objects.exists()
    # An exact entry is enough too.
    assert admin_client.post(ADD, form(host="vinhlong.gov.vn")).status_code == 302


def test_a_host_with_scheme_or_port_is_refused(admin_client, allowed):
    assert "host" in errors(admin_client.post(ADD, form(host="https://hanoi.test")))
    assert "host" in errors(admin_client.post(ADD, form(host="hanoi.test:8000")))


def test_a_site_cannot_be_its_own_ancestor(admin_client, parent, reference_data):
    child = Portal.objects.create(host="hanoi.test", name="Cổng Hà Nội", parent=parent)
    found = errors(admin_client.post(f"{LIST}{parent.pk}/change/", form(host="portal.test", parent=child.pk)))
    assert found["parent"] == ["A site cannot be its own parent, directly or through other sites."]
    found = errors(admin_client.post(f"{LIST}{parent.pk}/change/", form(host="portal.test", parent=parent.pk)))
    assert "parent" in found


def test_a_components_subtree_lies_inside_its_parents(admin_client, allowed, reference_data):
    agencies = reference_data["agencies"]
    hanoi = Portal.objects.create(host="hanoi.test", name="Cổng Hà Nội", agency=agencies["UBND-HN"])
    found = errors(admin_client.post(ADD, form(host="bo.test", agency=agencies["BO-GDDT"].pk, parent=hanoi.pk)))
    assert found["agency"] == [
        f"Choose an agency inside the parent site's subtree ({agencies['UBND-HN'].name_en} or an agency below it)."
    ]
    found = errors(admin_client.post(ADD, form(host="ca-nuoc.test", parent=hanoi.pk)))  # the whole country
    assert "agency" in found
    ward = agencies["UBND-P-HOANKIEM"]
    assert admin_client.post(ADD, form(host="hoankiem.test", agency=ward.pk, parent=hanoi.pk)).status_code == 302


def test_a_header_colour_white_text_cannot_be_read_on_is_refused(admin_client, allowed):
    found = errors(admin_client.post(ADD, form(primary_colour="#f9a825")))
    assert found["primary_colour"][0].startswith("White header text on this colour has a contrast of 2.0:1")
    assert "colour" in errors(admin_client.post(ADD, form(accent_colour="red")))["accent_colour"][0]


def test_a_logo_is_stored_as_a_small_png_without_metadata(admin_client, allowed):
    photo = SimpleUploadedFile("logo.jpg", photo_bytes("JPEG", gps=True), content_type="image/jpeg")
    assert admin_client.post(ADD, {**form(), "logo": photo}).status_code == 302
    portal = Portal.objects.get(host="hanoi.test")
    assert portal.logo.name.endswith(f"{portal.logo_digest}.png")
    with portal.logo.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as picture:
        assert picture.format == "PNG"
        assert picture.width <= 512 and picture.height <= 128
        assert not picture.getexif() and "exif" not in picture.info
    assert site_for_host("hanoi.test").logo_version == portal.logo_digest


def test_a_large_logo_is_scaled_down(admin_client, allowed):
    buffer = io.BytesIO()
    Image.new("RGBA", (2000, 500), (0, 90, 50, 255)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    assert admin_client.post(ADD, {**form(), "logo": upload}).status_code == 302
    with Portal.objects.get().logo.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as picture:
        assert picture.size == (512, 128)


def test_an_svg_or_a_broken_picture_is_refused(admin_client, allowed):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    found = errors(admin_client.post(ADD, {**form(), "logo": SimpleUploadedFile("logo.svg", svg, "image/svg+xml")}))
    assert "logo" in found
    assert not Portal.objects.exists()


def test_the_list_searches_by_host_and_name_and_filters(admin_client, parent, reference_data):
    Portal.objects.create(host="hanoi.test", name="Cổng Hà Nội", agency=reference_data["agencies"]["UBND-HN"],
                          parent=parent)  # fmt: skip
    response = admin_client.get(LIST, {"q": "hanoi"})
    assert [p.host for p in response.context["cl"].result_list] == ["hanoi.test"]
    response = admin_client.get(LIST, {"q": "Chính phủ"})
    assert [p.host for p in response.context["cl"].result_list] == ["portal.test"]
    response = admin_client.get(LIST, {"is_default__exact": "1"})
    assert [p.host for p in response.context["cl"].result_list] == ["portal.test"]
