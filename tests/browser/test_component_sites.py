"""Two component sites of one deployment, reached in a real browser by two host names: each shows its own
title, logo and colours and its own province's answers; the parent portal shows both, each with its origin.
Every page is checked with axe and photographed at desktop and phone width."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest
from caunoi.agencies.models import Agency, Category
from caunoi.portals.logo import logo_from_upload
from caunoi.portals.models import Portal
from caunoi.publication.models import PublishedItem, Status
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.support.browser import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logo(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    picture = Image.new("RGBA", (240, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((4, 4, 116, 116), fill=(*colour, 255), outline=(255, 255, 255, 255), width=6)
    draw.rectangle((130, 30, 236, 90), fill=(255, 255, 255, 255))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def make_site(*, host: str, name: str, agency: Agency | None, parent: Portal | None, primary: str, accent: str,
              logo_colour: tuple[int, int, int] | None = None, **extra: object) -> Portal:  # fmt: skip
    portal = Portal(host=host, name=name, agency=agency, parent=parent, primary_colour=primary,
                    accent_colour=accent, **extra)  # fmt: skip
    if logo_colour is not None:
        stored = logo_from_upload(logo(logo_colour))
        portal.logo.save(stored.content.name, stored.content, save=False)
        portal.logo_digest = stored.digest
    portal.full_clean()
    portal.save()
    return portal


def publish(title: str, agency: Agency, days_ago: int) -> PublishedItem:
    return PublishedItem.objects.create(
        slug=f"{agency.code.lower()}-{days_ago}",
        kind="question",
        agency=agency,
        category=Category.objects.get(slug="dat-dai"),
        title=title,
        question=f"{title}. Xin hỏi thủ tục và thời hạn giải quyết.",
        answer="Hồ sơ nộp tại bộ phận một cửa; thời hạn giải quyết theo quy định của Luật Đất đai.",
        status=Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def sites(settings, reference_data):
    settings.ALLOWED_HOSTS = [".test", "localhost", "127.0.0.1"]
    top = reference_data["agencies"]["CP"]
    hcm = Agency.objects.create(code="UBND-HCM", name="Ủy ban nhân dân Thành phố Hồ Chí Minh",
                                level=Agency.Level.PROVINCE, parent=top)  # fmt: skip
    qb = Agency.objects.create(code="UBND-QT", name="Ủy ban nhân dân tỉnh Quảng Trị",
                               level=Agency.Level.PROVINCE, parent=top)  # fmt: skip
    parent = make_site(host="chinhphu.test", name="Cổng thông tin Chính phủ", agency=None, parent=None,
                       primary="#0b3a66", accent="#1d70b8", is_default=True)  # fmt: skip
    hcm_site = make_site(host="hcm.test", name="Cổng thông tin Thành phố Hồ Chí Minh", agency=hcm, parent=parent,
                         primary="#8b1a1a", accent="#f2c200", logo_colour=(200, 30, 30))  # fmt: skip
    qb_site = make_site(host="qb.test", name="Cổng thông tin tỉnh Quảng Trị", agency=qb, parent=parent,
                        primary="#00573a", accent="#4fc3f7", logo_colour=(0, 120, 70))  # fmt: skip
    publish("Cấp sổ hồng căn hộ chung cư ở Thủ Đức", hcm, 1)
    publish("Bồi thường khi mở rộng đường Nguyễn Văn Linh", hcm, 2)
    publish("Giao đất rừng cho hộ gia đình ở Hướng Hóa", qb, 3)
    return {"parent": parent, "hcm": hcm_site, "qb": qb_site}


def check(page, name: str) -> None:
    assert serious_accessibility_violations(page) == [], name
    screenshot(page, f"component-sites-{name}")


def header_colour(page) -> str:
    return page.locator(".site-header").evaluate("element => getComputedStyle(element).backgroundColor")


def test_two_sites_on_two_host_names_show_their_own_branding_and_content(page, live_server, sites):
    port = urlsplit(live_server.url).port
    page.set_default_timeout(10_000)

    page.goto(f"http://hcm.test:{port}/")
    expect(page.locator(".brand__name")).to_have_text("Cổng thông tin Thành phố Hồ Chí Minh")
    assert page.title().endswith("– Cổng thông tin Thành phố Hồ Chí Minh")
    assert header_colour(page) == "rgb(139, 26, 26)"
    logo_image = page.locator("img.brand__logo")
    expect(logo_image).to_be_visible()
    assert logo_image.evaluate("image => image.complete && image.naturalWidth") > 0
    cards = page.locator(".pub-card__title")
    expect(cards).to_have_count(2)
    assert "Thủ Đức" in cards.first.inner_text()
    assert "Hướng Hóa" not in page.locator("main").inner_text()
    check(page, "hcm-home")

    page.goto(f"http://qb.test:{port}/hoi-dap/?q=dat")
    expect(page.locator(".brand__name")).to_have_text("Cổng thông tin tỉnh Quảng Trị")
    assert header_colour(page) == "rgb(0, 87, 58)"
    expect(page.locator(".pub-card__title")).to_have_count(1)
    expect(page.locator(".pub-card__title")).to_contain_text("Hướng Hóa")
    check(page, "qb-search")

    page.goto(f"http://qb.test:{port}/")
    expect(page.locator(".pub-card__title")).to_have_count(1)
    check(page, "qb-home")

    # The parent portal: everything, each component site's answer with a link to where it comes from.
    page.goto(f"http://chinhphu.test:{port}/hoi-dap/")
    expect(page.locator(".brand__name")).to_have_text("Cổng thông tin Chính phủ")
    expect(page.locator(".pub-card")).to_have_count(3)
    origin = page.locator(".pub-card", has_text="Hướng Hóa").locator(".pub-card__origin a")
    expect(origin).to_have_text("Cổng thông tin tỉnh Quảng Trị")
    expect(origin).to_have_attribute("href", f"http://qb.test:{port}/")
    check(page, "parent-search")
    with page.expect_navigation():
        origin.click()
    expect(page.locator(".brand__name")).to_have_text("Cổng thông tin tỉnh Quảng Trị")


def test_an_unknown_host_gets_the_parent_portal(page, live_server, sites):
    page.goto(f"{live_server.url}/")
    expect(page.locator(".brand__name")).to_have_text("Cổng thông tin Chính phủ")
    expect(page.locator(".pub-card__title")).to_have_count(3)
