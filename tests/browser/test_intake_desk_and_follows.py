"""In the browser: the front desk enters a letter for a citizen and prints its receipt; a moderator reads the
mail waiting for staff; a reader says "me too" and follows an answer; a leader sees what is most supported.
Every page passes the accessibility check."""

import pytest
from caunoi.follows.models import Subscription, Support
from caunoi.intake.mail import mail_receive
from caunoi.publication import services as publication
from caunoi.publication.models import PublishedItem

from tests.support.browser import screenshot, serious_accessibility_violations
from tests.support.publication import answered_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_the_front_desk_enters_a_letter_and_prints_the_receipt(page, personas, reference_data):
    login(page, "official-a", "/staff/intake/new/")
    assert serious_accessibility_violations(page) == []
    page.check("#id_channel")  # letter
    page.fill("#id_received_on", "2000-01-01")
    page.check("#id_kind_feedback")
    page.fill("#id_title", "Đường làng bị sạt lở sau mưa")
    page.select_option("#id_category", "moi-truong")
    page.fill("#id_name", "Lò Văn Páo")
    page.fill("#id_address", "Bản Nà Sang")
    page.click("main form button[type=submit]")

    assert page.locator("#id_received_on-error").is_visible()
    assert page.locator("#id_body-error").is_visible()
    assert page.input_value("#id_name") == "Lò Văn Páo"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "intake-enter-errors")

    page.fill("#id_received_on", page.get_attribute("#id_received_on", "max"))
    page.fill("#id_body", "Đoạn đường liên thôn bị sạt lở, xe máy không đi qua được từ tuần trước.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/receipt/")
    assert page.locator("#access-code").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "intake-receipt")


def test_a_moderator_reads_mail_waiting_for_staff(page, personas, reference_data):
    message = (
        "From: An <an@example.org>\r\nTo: hoi-dap@caunoi.local\r\nSubject: Hỏi về học phí\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nXin hỏi mức học phí năm học mới ở trường tiểu học."
    ).encode()
    mail_receive(message, envelope_from="an@example.org", recipients=["hoi-dap@caunoi.local"])

    login(page, "moderator", "/staff/mail/")
    assert "Hỏi về học phí" in page.locator("main").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "intake-held-mail")
    page.fill("main input[name=tracking_code]", "HD-2026-999999")
    page.click("main form.action-form button[type=submit] >> nth=0")
    assert page.locator("#id_tracking_code-error").is_visible()
    screenshot(page, "intake-held-mail-error")


def test_a_reader_says_me_too_and_follows_and_a_leader_sees_it(page, personas, reference_data, browser, live_server):
    item = PublishedItem.objects.get(case=answered_case(personas))
    publication.item_publish(item=item, by=personas["moderator"])

    page.goto(f"/hoi-dap/{item.slug}/")
    screenshot(page, "item-with-follow")
    page.click("main >> text=Tôi cũng vậy")
    page.wait_for_url("**/support/")
    assert serious_accessibility_violations(page) == []
    page.click("main form button[type=submit]")
    assert Support.objects.filter(item=item).count() == 1
    screenshot(page, "support-done")

    page.click("main a[href*='/follow/']")
    page.fill("#id_email", "khong-hop-le")
    page.click("main form button[type=submit]")
    assert page.locator("#id_email-error").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "follow-error")
    page.fill("#id_email", "ban@example.org")
    page.click("main form button[type=submit]")
    assert "ban@example.org" in page.locator("main").inner_text()
    assert Subscription.objects.get().confirmed_at is None
    screenshot(page, "follow-requested")

    leader = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport={"width": 1280, "height": 900})
    leader_page = leader.new_page()
    login(leader_page, "leader", "/staff/most-supported/")
    assert item.title in leader_page.locator("main table").inner_text()
    assert serious_accessibility_violations(leader_page) == []
    screenshot(leader_page, "most-supported")
    leader.close()
