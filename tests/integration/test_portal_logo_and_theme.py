"""A site's logo and colours are public files: served with long-lived caching at a versioned address, a
short one at an unversioned address, and 304 to a browser that already has them."""

from __future__ import annotations

import re

import pytest
from caunoi.portals.logo import logo_from_upload
from caunoi.portals.models import Portal
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.files import png_bytes

pytestmark = pytest.mark.django_db
YEAR = "public, max-age=31536000, immutable"


@pytest.fixture
def hanoi(settings, reference_data):
    settings.ALLOWED_HOSTS = [".test", "testserver"]
    logo = logo_from_upload(SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))
    portal = Portal(host="hanoi.test", name="Cổng Hà Nội", agency=reference_data["agencies"]["UBND-HN"],
                    primary_colour="#005a32", accent_colour="#ffcc00", logo_digest=logo.digest)  # fmt: skip
    portal.logo.save(logo.content.name, logo.content, save=False)
    portal.save()
    return portal


def test_the_logo_is_served_publicly_at_its_versioned_address(client, hanoi):
    page = client.get("/", HTTP_HOST="hanoi.test").content.decode()
    src = re.search(r'<img class="brand__logo" src="([^"]+)" alt="">', page).group(1)
    assert src == f"/portal-logo/{hanoi.pk}/?v={hanoi.logo_digest}"
    response = client.get(src)  # any host: a parent portal may show a component site's logo
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == YEAR
    assert response["ETag"] == f'"{hanoi.logo_digest}"'
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_an_unversioned_or_repeated_logo_request_is_cached_briefly_or_not_resent(client, hanoi):
    assert client.get(f"/portal-logo/{hanoi.pk}/")["Cache-Control"] == "public, max-age=300"
    again = client.get(f"/portal-logo/{hanoi.pk}/", HTTP_IF_NONE_MATCH=f'"{hanoi.logo_digest}"')
    assert again.status_code == 304


def test_no_logo_or_an_inactive_site_is_not_found(client, hanoi):
    other = Portal.objects.create(host="other.test", name="Không có logo")
    assert client.get(f"/portal-logo/{other.pk}/").status_code == 404
    Portal.objects.filter(pk=hanoi.pk).update(is_active=False)
    assert client.get(f"/portal-logo/{hanoi.pk}/").status_code == 404
    assert client.post(f"/portal-logo/{other.pk}/").status_code in {403, 405}


def test_the_theme_sets_the_sites_colours_for_site_css(client, hanoi):
    page = client.get("/", HTTP_HOST="hanoi.test").content.decode()
    href = re.search(r'href="(/portal-theme\.css\?v=\w+)"', page).group(1)
    response = client.get(href, HTTP_HOST="hanoi.test")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == YEAR and "Host" in response["Vary"]
    css = response.content.decode()
    assert "--c-brand: #005a32;" in css and "--c-brand-accent: #ffcc00;" in css
    assert "--c-brand-dark: #003f23;" in css  # 30 % darker for the navigation bar
    assert client.get(href, HTTP_HOST="hanoi.test", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_colour_change_changes_the_theme_address(client, hanoi):
    before = re.search(r"portal-theme\.css\?v=(\w+)", client.get("/", HTTP_HOST="hanoi.test").content.decode())
    hanoi.primary_colour = "#4a148c"
    hanoi.save()
    after = re.search(r"portal-theme\.css\?v=(\w+)", client.get("/", HTTP_HOST="hanoi.test").content.decode())
    assert before.group(1) != after.group(1)
    stale = client.get(f"/portal-theme.css?v={before.group(1)}", HTTP_HOST="hanoi.test")
    assert "#4a148c" in stale.content.decode() and stale["Cache-Control"] == "public, max-age=300"
