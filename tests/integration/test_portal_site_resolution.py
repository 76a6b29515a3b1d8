"""Which site serves a request is read from its Host (port and letter case ignored); a host naming no site
gets the default site, or the built-in "Cầu Nối" before any is configured. Pages carry the site's title,
logo and colours."""

from __future__ import annotations

import re

import pytest
from caunoi.portals.models import Portal
from caunoi.portals.selectors import BUILT_IN, site_for_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(settings, reference_data):
    settings.ALLOWED_HOSTS = [".test", "testserver", "localhost"]
    parent = Portal.objects.create(host="portal.test", name="Cổng thông tin Chính phủ", name_en="Government portal",
                                   is_default=True)  # fmt: skip
    hanoi = Portal.objects.create(
        host="hanoi.test",
        name="Cổng Hà Nội",
        name_en="Ha Noi portal",
        agency=reference_data["agencies"]["UBND-HN"],
        parent=parent,
        primary_colour="#005a32",
        accent_colour="#ffcc00",
    )
    return {"parent": parent, "hanoi": hanoi}


def title(response) -> str:
    assert response.status_code == 200
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_a_site_is_found_by_host_with_or_without_port(sites):
    assert site_for_host("hanoi.test").id == sites["hanoi"].pk
    assert site_for_host("hanoi.test:8443").id == sites["hanoi"].pk
    assert site_for_host("HANOI.test").id == sites["hanoi"].pk
    assert site_for_host("hanoi.test").agency_path == sites["hanoi"].agency.path


def test_an_unknown_host_gets_the_default_site(sites):
    assert site_for_host("localhost:8000").id == sites["parent"].pk
    assert site_for_host("[::1]:8000").id == sites["parent"].pk


def test_without_any_site_the_built_in_one_serves(db):
    assert site_for_host("anything.test") == BUILT_IN
    assert BUILT_IN.display_name == "Cầu Nối" and BUILT_IN.agency_path == ""


def test_an_inactive_site_is_not_served(sites):
    sites["hanoi"].is_active = False
    sites["hanoi"].save()
    assert site_for_host("hanoi.test").id == sites["parent"].pk


def test_a_changed_site_is_served_at_once(sites):
    assert site_for_host("hanoi.test").name == "Cổng Hà Nội"
    sites["hanoi"].name = "Cổng thông tin điện tử Hà Nội"
    sites["hanoi"].save()
    assert site_for_host("hanoi.test").name == "Cổng thông tin điện tử Hà Nội"


def test_pages_carry_the_sites_title_and_theme(client, sites):
    response = client.get("/hoi-dap/", HTTP_HOST="hanoi.test:8000")
    assert title(response).endswith("– Cổng Hà Nội")
    body = response.content.decode()
    assert '<span class="brand__name" lang="vi">Cổng Hà Nội</span>' in body
    theme = re.search(r'<link rel="stylesheet" href="(/portal-theme\.css\?v=\w+)">', body).group(1)
    css = client.get(theme, HTTP_HOST="hanoi.test:8000").content.decode()
    assert "--c-brand: #005a32;" in css and "--c-brand-accent: #ffcc00;" in css
    assert "brand__logo" not in body  # no logo uploaded

    english = client.get("/hoi-dap/", HTTP_HOST="hanoi.test", HTTP_ACCEPT_LANGUAGE="en")
    assert title(english).endswith("– Ha Noi portal")
    assert '<span class="brand__name" lang="en">Ha Noi portal</span>' in english.content.decode()


def test_the_built_in_site_keeps_its_name_and_links_no_theme(client, settings, db):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/hoi-dap/")
    assert title(response).endswith("– Cầu Nối")
    assert "portal-theme.css" not in response.content.decode()
