"""Spam control beside the rate limits: a honeypot on public forms, and block lists (address ranges, e-mail
domains, phone numbers) that administrators keep in the admin with an audit trail."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from caunoi.abuse.models import BlockRule, BlockRuleChange
from caunoi.cases.models import Case
from caunoi.dialogues.models import DialogueQuestion
from caunoi.dialogues.testing import make_dialogue
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "kind": "question",
    "title": "Hỏi về giấy phép xây dựng",
    "body": "Xin hỏi nhà ở riêng lẻ hai tầng có cần giấy phép xây dựng không?",
    "category": "xay-dung",
    "area": "tinh-01",
    "name": "Lê Văn Cường",
}


def address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


# Honeypot


def test_the_form_carries_a_honeypot_hidden_from_people_and_assistive_technology(reference_data):
    html = Client().get("/submit/").content.decode()
    start = html.index('name="homepage"')
    field = html[html.rfind("<div", 0, start) : html.index("</div>", start)]
    assert 'aria-hidden="true"' in field and 'class="hp-field"' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


def test_a_bot_filling_the_honeypot_gets_a_generic_error_and_nothing_is_stored(reference_data):
    page = Client().post("/submit/", {**SUBMISSION, "homepage": "http://spam.example"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    html = page.content.decode()
    assert "could not be sent" in html
    assert "Hỏi về giấy phép xây dựng" in html  # a person who somehow filled it loses nothing
    assert Case.objects.count() == 0
    assert Client().post("/submit/", {**SUBMISSION, "homepage": ""}).status_code == 302  # empty: a person


def test_the_dialogue_question_form_has_the_honeypot_too(personas, reference_data):
    dialogue = make_dialogue(agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[])
    url = f"/dialogues/{dialogue.pk}/ask/"
    assert 'name="homepage"' in Client().get(url).content.decode()
    refused = Client().post(url, {"name": "Bot", "text": "Mua thuốc giá rẻ ở đây nhé?", "homepage": "x"})
    assert refused.status_code == 400
    assert not DialogueQuestion.objects.exists()


# Block lists


@pytest.fixture
def admin_client(personas):
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    return client


def add_rule(admin_client, kind: str, value: str, reason: str = "Spam wave 2026-12"):
    return admin_client.post(
        "/admin/abuse/blockrule/add/", {"kind": kind, "value": value, "reason": reason, "active": "on"}
    )


def test_a_blocked_address_range_is_refused_on_every_way_in(admin_client, reference_data):
    assert add_rule(admin_client, "address", "203.0.113.0/24").status_code == 302
    api = APIClient(REMOTE_ADDR="203.0.113.77")
    refused = api.post("/api/v1/cases/", SUBMISSION, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert "could not be accepted" in refused.json()["detail"]
    open311 = Client(REMOTE_ADDR="203.0.113.8").post(
        "/open311/v2/requests.json",
        urlencode({"service_code": "dat-dai", "description": "Rác thải đổ trộm ven đường nhiều ngày.",
                   "address_id": "tinh-01", "first_name": "A", "last_name": "B"}),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert open311.status_code == 403 and open311.json()[0]["code"] == 403
    page = Client(REMOTE_ADDR="203.0.113.9").post("/submit/", SUBMISSION, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 403
    assert "Hỏi về giấy phép xây dựng" in page.content.decode()  # what was typed is kept
    assert Case.objects.count() == 0
    assert APIClient(REMOTE_ADDR="203.0.114.1").post("/api/v1/cases/", SUBMISSION, format="json").status_code == 201


def test_blocked_email_domains_and_phones_are_refused(admin_client, reference_data):
    add_rule(admin_client, "email_domain", "Spam.Example")
    add_rule(admin_client, "phone", "+84 912 000 111")
    send = APIClient(REMOTE_ADDR=address()).post
    assert send("/api/v1/cases/", {**SUBMISSION, "email": "a@spam.example"}, format="json").status_code == 403
    assert send("/api/v1/cases/", {**SUBMISSION, "email": "a@mail.spam.example"}, format="json").status_code == 403
    assert send("/api/v1/cases/", {**SUBMISSION, "phone": "0912000111"}, format="json").status_code == 403
    assert send("/api/v1/cases/", {**SUBMISSION, "email": "a@notspam.example"}, format="json").status_code == 201


def test_every_change_to_the_block_list_is_audited_and_removal_needs_a_reason(admin_client, personas, reference_data):
    add_rule(admin_client, "address", "198.51.100.0/24", reason="Bot flood on the form")
    rule = BlockRule.objects.get()
    url = f"/admin/abuse/blockrule/{rule.pk}/change/"
    without_reason = admin_client.post(url, {"kind": "address", "value": rule.value, "reason": rule.reason})
    assert without_reason.status_code == 200  # the form asks why
    removed = admin_client.post(
        url, {"kind": "address", "value": rule.value, "reason": rule.reason, "change_note": "Commune office NAT"}
    )
    assert removed.status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    trail = list(BlockRuleChange.objects.order_by("at").values_list("action", "value", "note", "actor"))
    assert trail == [
        ("added", "198.51.100.0/24", "Bot flood on the form", personas["admin"].pk),
        ("removed", "198.51.100.0/24", "Commune office NAT", personas["admin"].pk),
    ]
    assert APIClient(REMOTE_ADDR="198.51.100.5").post("/api/v1/cases/", SUBMISSION, format="json").status_code == 201
    assert admin_client.get("/admin/abuse/blockrulechange/").status_code == 200
    assert admin_client.post(f"/admin/abuse/blockrule/{rule.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_bad_value_gets_a_clear_error_in_the_admin(admin_client):
    response = add_rule(admin_client, "address", "not-an-address")
    assert response.status_code == 200
    assert BlockRule.objects.count() == 0
