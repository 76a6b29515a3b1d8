"""The staff timeline speaks in plain language: names instead of codes (agencies, areas, states), no Python
dicts, each change in one sentence; the citizen's track page shows a split; an extension sends a message."""

from __future__ import annotations

import re

import pytest
from caunoi.agencies.models import Agency
from caunoi.cases.services import case_claim, case_extend, case_split, case_transfer
from caunoi.notifications.models import Notification
from caunoi.notifications.rendering import render_message
from django.urls import reverse

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


def timeline_html(html: str) -> str:
    return html[html.index('id="timeline"') :]


def test_the_timeline_names_things_and_says_each_change_in_a_sentence(client, personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["leader"])
    case_extend(case=case, by=personas["leader"], days=5, reason="Cần xác minh thực địa.")
    case_transfer(
        case=case,
        by=personas["leader"],
        to_agency=Agency.objects.get(code="SO-XD-HN"),
        reason="Thuộc lĩnh vực xây dựng.",
    )
    client.force_login(personas["leader"])
    html = client.get(reverse("cases:staff-case", args=[case.id])).content.decode()
    timeline = timeline_html(html)
    assert "{&#x27;" not in html and "{'" not in html  # no Python dicts anywhere on the page
    assert "tinh-01" not in html  # the province by its name
    assert "Thành phố Hà Nội" in timeline
    for code in ("SO-NNMT-HN", "SO-XD-HN"):
        assert f">{code}<" not in timeline
    assert not re.search(r">\s*(received|in_progress|answered)\s*<", timeline)  # no state codes
    assert "Sở Xây dựng Hà Nội" in timeline
    assert "Thuộc lĩnh vực xây dựng." in timeline
    assert "5 ngày" in timeline and "Cần xác minh thực địa." in timeline


def test_an_extension_sends_the_citizen_a_message(personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["leader"])
    case_extend(case=case, by=personas["leader"], days=3, reason="Cần thêm ý kiến của sở.")
    [message] = Notification.objects.filter(template="case_extended")
    assert message.recipient == "nguoi-dan@example.org"
    assert message.context["reason"] == "Cần thêm ý kiến của sở."


def test_a_split_shows_on_the_citizens_track_page(client, personas, reference_data):
    case, token = submit_case()
    case_split(
        case=case,
        by=personas["leader"],
        agencies=list(Agency.objects.filter(code__in=["SO-XD-HN", "BO-GDDT"])),
        note="",
    )
    client.post(reverse("cases:track"), {"code": case.tracking_code, "token": token})
    html = client.get(reverse("cases:track-detail", args=[case.tracking_code])).content.decode()
    assert "Sở Xây dựng Hà Nội" in html
    assert "Bộ Giáo dục và Đào tạo" in html


def test_the_transfer_message_says_what_the_track_page_says(client, personas, reference_data):
    case, token = submit_case()
    case_transfer(
        case=case, by=personas["leader"], to_agency=Agency.objects.get(code="SO-XD-HN"), reason="Sai thẩm quyền."
    )
    [message] = Notification.objects.filter(template="case_transferred")
    sentence = message.context["change"]
    assert "Sở Xây dựng Hà Nội" in sentence
    client.post(reverse("cases:track"), {"code": case.tracking_code, "token": token})
    assert sentence in client.get(reverse("cases:track-detail", args=[case.tracking_code])).content.decode()
    rendered = render_message(template=message.template, context=message.context, language="vi")
    assert sentence in rendered.body
    assert rendered.body.count("Sở Xây dựng Hà Nội") == 1  # said once, not twice


def test_the_extension_message_says_what_the_track_page_says(personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["leader"])
    case_extend(case=case, by=personas["leader"], days=3, reason="Cần thêm ý kiến của sở.")
    [message] = Notification.objects.filter(template="case_extended")
    rendered = render_message(template=message.template, context=message.context, language="vi")
    assert message.context["change"] in rendered.body
    assert rendered.body.count("Cần thêm ý kiến của sở.") == 1
