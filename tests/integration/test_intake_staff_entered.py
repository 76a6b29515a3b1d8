"""Staff-entered intake ("nhập hộ"): an official records a letter, call, visit or fax for a citizen; the legal
date of receipt starts the clock; only front-desk roles may do it; bad input is refused beside each field."""

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import Case
from caunoi.cases.services import hash_token
from caunoi.notifications.models import Notification
from caunoi.notifications.services import notification_deliver
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import api_as
from tests.support.files import pdf_bytes

pytestmark = pytest.mark.django_db

VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2027, 3, 15, 10, 0, tzinfo=VN)  # Monday

LETTER = {
    "kind": "feedback",
    "title": "Đường làng bị sạt lở sau mưa",
    "body": "Đoạn đường liên thôn ở xã bị sạt lở, xe máy không đi qua được từ tuần trước.",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Lò Văn Páo",
    "phone": "0912 345 678",
    "address": "Bản Nà Sang",
    "channel": "letter",
    "received_on": "2027-03-10",
}


@time_machine.travel(NOW, tick=False)
def test_the_legal_date_of_receipt_starts_the_clock(personas):
    response = api_as(personas["official_a"]).post("/api/v1/intake/entered/", LETTER, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["tracking_code"] == case.tracking_code
    assert case.access_token_hash == hash_token(body["access_token"])
    assert case.channel == "letter"
    assert case.clock_started_on == dt.date(2027, 3, 10)
    assert case.received_at.astimezone(VN).date() == dt.date(2027, 3, 10)
    # 20 days (feedback) counted from the receipt on 10 March, not from the day it was typed in.
    fresh = api_as(personas["official_a"]).post("/api/v1/intake/entered/", {**LETTER, "received_on": "2027-03-15"})
    later = Case.objects.get(pk=fresh.json()["id"])
    assert case.due_at < later.due_at
    submitted = case.events.get(type="submitted")
    assert submitted.actor == personas["official_a"]
    assert submitted.payload["channel"] == "letter"
    assert submitted.payload["entered_by"] == "official-a"
    assert case.submitter is None


@time_machine.travel(NOW, tick=False)
def test_the_citizen_gets_the_tracking_code_by_the_contact_they_gave(personas):
    body = api_as(personas["official_a"]).post("/api/v1/intake/entered/", LETTER, format="json").json()

    receipt = Notification.objects.get(template="case_received", recipient="0912345678")
    assert receipt.channel == "sms"
    assert receipt.context["tracking_code"] == body["tracking_code"]
    assert receipt.context["access_token"] == body["access_token"]  # the citizen never saw a confirmation page
    assert notification_deliver(receipt.pk) == "sent"
    receipt.refresh_from_db()
    assert "access_token" not in receipt.context  # once sent, the outbox keeps no secret


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        ("2027-03-16", "Ngày tiếp nhận không thể ở tương lai."),
        ("2027-01-01", "Ngày tiếp nhận không được sớm hơn 30 ngày trước."),
        ("", "Nhập ngày tiếp nhận thư, cuộc gọi, lượt tiếp trực tiếp hoặc bản fax."),
        ("15/03/2027", "Nhập ngày theo định dạng YYYY-MM-DD (năm-tháng-ngày), ví dụ: 2026-12-31."),
    ],
)
def test_a_bad_date_of_receipt_is_refused_beside_the_field(personas, received_on, message):
    response = api_as(personas["official_a"]).post(
        "/api/v1/intake/entered/", {**LETTER, "received_on": received_on}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["received_on"] == [message]
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_an_unknown_channel_is_refused(personas):
    response = api_as(personas["official_a"]).post("/api/v1/intake/entered/", {**LETTER, "channel": "web"})

    assert response.status_code == 400
    assert "channel" in response.json()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("citizen", False),
        ("official_a", True),
        ("official_b", True),
        ("leader", True),
        ("moderator", False),
        ("admin", True),
        (None, False),
    ],
)
def test_who_may_enter_a_case_for_a_citizen(personas, web, api, persona, allowed):
    client = api_as(personas[persona]) if persona else api
    response = client.post("/api/v1/intake/entered/", LETTER, format="json")
    assert response.status_code == (201 if allowed else 403 if persona else 401)

    if persona:
        web.force_login(personas[persona])
    page = web.get("/staff/intake/new/")
    assert page.status_code == (200 if allowed else 404 if persona else 302)


@time_machine.travel(NOW, tick=False)
def test_the_staff_page_keeps_what_was_typed_and_says_what_is_wrong(personas, web):
    web.force_login(personas["official_a"])

    response = web.post("/staff/intake/new/", {**LETTER, "title": "", "received_on": "2027-04-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_title-error"' in html
    assert 'id="id_received_on-error"' in html
    assert "Lò Văn Páo" in html
    assert "Bản Nà Sang" in html
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_staff_page_stores_scans_and_shows_a_printable_receipt_once(personas, web):
    web.force_login(personas["official_a"])
    scan = SimpleUploadedFile("thu.pdf", pdf_bytes(), content_type="application/pdf")

    response = web.post("/staff/intake/new/", {**LETTER, "attachments": [scan]})

    assert response.status_code == 302
    case = Case.objects.get()
    assert [a.original_name for a in case.attachments.all()] == ["thu.pdf"]
    receipt = web.get(response["Location"])
    assert receipt.status_code == 200
    html = receipt.content.decode()
    assert case.tracking_code in html
    token = receipt.context["access_token"]
    assert token and token in html and case.access_token_hash == hash_token(token)
    again = web.get(response["Location"])
    assert case.tracking_code in again.content.decode()
    assert token not in again.content.decode()  # the secret is shown once
    # Another official cannot open the receipt of a case outside their agency.
    other = type(web)()
    other.force_login(personas["official_b"])
    assert other.get(response["Location"]).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_front_desk_chooses_a_commune_as_citizens_do(personas, web):
    web.force_login(personas["official_a"])
    form = {key: value for key, value in LETTER.items() if key != "area"}
    listed = web.post("/staff/intake/new/", {**form, "province": "tinh-01", "show_communes": "1"})
    html = listed.content.decode()
    assert listed.status_code == 200 and 'value="xa-00070"' in html and "Lò Văn Páo" in html
    assert not Case.objects.exists()
    sent = web.post(
        "/staff/intake/new/", {**form, "province": "tinh-01", "commune": "xa-00070", "communes_for": "tinh-01"}
    )
    assert sent.status_code == 302
    assert Case.objects.get().area.code == "xa-00070"


@time_machine.travel(NOW, tick=False)
def test_the_front_desk_never_cuts_a_long_letter_and_says_how_long_it_is(personas, web):
    web.force_login(personas["official_a"])
    page = web.get("/staff/intake/new/").content.decode()
    assert "maxlength" not in page  # a browser would cut a pasted letter without a word
    assert 'data-character-count="10000"' in page
    letter = "Nội dung thư rất dài. " * 600  # 13,200 characters
    response = web.post("/staff/intake/new/", {**LETTER, "body": letter})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_body-error"' in html and "13" in html
    assert letter.strip() in html  # all of it comes back
