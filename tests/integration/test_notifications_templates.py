"""Notification texts: one template per message, plain text, first line the subject, in the row's language."""

from __future__ import annotations

import datetime as dt

import pytest
from caunoi.notifications.models import Notification
from caunoi.notifications.rendering import render_message
from caunoi.notifications.services import notification_deliver, notification_enqueue
from caunoi.notifications.tasks import deliver_notification
from caunoi.notifications.templatetags.notification_filters import iso_date
from django.conf import settings as django_settings
from django.core import mail
from django.utils import translation

NOTIFICATION_TEMPLATES = sorted((django_settings.FRONTEND_DIR / "templates" / "notifications").glob("*.txt"))
# Every key any template documents, with text that HTML escaping would change.
CONTEXT = {
    "tracking_code": "HD-2026-42",
    "title": 'Đất của tôi & "hàng xóm" <lấn chiếm>',
    "agency": "Sở Nông nghiệp và Môi trường Hà Nội",
    "due_date": "2026-06-29",
    "track_url": "https://caunoi.example/track/HD-2026-42?lang=vi&x=1",
    "case_url": "https://caunoi.example/staff/cases/42",
    "reason": "Nội dung thuộc thẩm quyền của Tòa án",
    "pointer": "Tòa án nhân dân khu vực 1 – Hà Nội",
    "message": "Xin gửi bản sao giấy chứng nhận.",
    "answer": "Hồ sơ gồm đơn đề nghị & giấy tờ về đất.",
    "comment": "Bổ sung căn cứ pháp lý.",
    "days_late": 3,
    "days_before": 2,
    "days": 5,
    "legal_days": 15,
    "unit": "working_days",
    "why": "nearest_above",
    "meant_for": "Sở Nông nghiệp và Môi trường Hà Nội",
    "level": 2,
}

NOT_ABOUT_A_CASE = {
    "account_email_changed",
    "staff_login_attack",
    "follow_confirm",
    "follow_digest",
    "follow_item",
    "dialogue_question_merged",  # to a dialogue's asker: checked in the moderation desk's tests
}


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(deliver_notification, "delay", lambda notification_id: None)


def test_the_templates_are_the_ones_the_writers_use():
    assert [path.stem for path in NOTIFICATION_TEMPLATES] == [
        "account_email_changed",
        "case_answered",
        "case_appeal_decided",
        "case_appealed",
        "case_extended",
        "case_merged",
        "case_received",
        "case_rejected",
        "case_split",
        "case_transferred",
        "dialogue_question_merged",
        "follow_confirm",
        "follow_digest",
        "follow_item",
        "info_requested",
        "late_status_update",
        "staff_appeal",
        "staff_assigned",
        "staff_erasure_requested",
        "staff_escalation",
        "staff_forwarding_overdue",
        "staff_forwarding_reminder",
        "staff_login_attack",
        "staff_reminder",
        "staff_returned",
    ]


@pytest.mark.parametrize("path", NOTIFICATION_TEMPLATES, ids=lambda path: path.stem)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_template_renders_a_subject_and_plain_text(path, language):
    source = path.read_text()
    assert source.startswith("{#") and "Context:" in source.splitlines()[1]  # the keys are documented

    message = render_message(template=path.stem, context=CONTEXT, language=language)

    if path.stem in NOT_ABOUT_A_CASE:  # checked in the tests of what sets it off
        assert message.subject and "\n" not in message.subject and "{" not in message.body
        return
    assert "HD-2026-42" in message.subject
    assert "\n" not in message.subject
    assert CONTEXT["title"] in message.body  # not HTML-escaped: "&", quotes and "<" stay as written
    assert "&amp;" not in message.body and "&quot;" not in message.body
    assert "{" not in message.body and "}" not in message.body
    assert "\n\n\n" not in message.body
    footer = {
        "en": "This message was sent automatically; please do not reply to it.",
        "vi": "Đây là thông báo tự động, vui lòng không trả lời.",
    }
    assert message.body.endswith(footer[language])


def test_dates_are_shown_day_first_and_counts_agree_with_their_nouns():
    late = render_message(template="late_status_update", context={**CONTEXT, "days_late": 1}, language="en")
    assert "It was due on 29/06/2026, 1 day ago." in late.body
    reminder = render_message(template="staff_reminder", context=CONTEXT, language="en")
    assert "must be answered by 29/06/2026, in 2 days." in reminder.body
    last_day = render_message(template="staff_reminder", context={**CONTEXT, "days_before": 0}, language="en")
    assert "must be answered today, 29/06/2026." in last_day.body


@pytest.mark.parametrize(("days_before", "expected"), [("1", "in 1 day."), ("0", "today, 29/06/2026.")])
def test_counts_written_as_text_by_sql_writers_are_read_as_numbers(days_before, expected):
    reminder = render_message(template="staff_reminder", context={**CONTEXT, "days_before": days_before}, language="en")
    assert expected in reminder.body
    late = render_message(template="late_status_update", context={**CONTEXT, "days_late": "9"}, language="en")
    assert "9 days ago." in late.body


def test_optional_lines_disappear_without_leaving_gaps():
    message = render_message(template="case_received", context={**CONTEXT, "due_date": ""}, language="en")
    assert "must answer by" not in message.body
    assert "the agency responsible.\n\nFollow your request" in message.body


def test_the_iso_date_filter_reads_dates_and_date_times_in_vietnam_time():
    assert iso_date("2026-06-29") == dt.date(2026, 6, 29)
    assert iso_date("2026-06-29T17:30:00+00:00") == dt.date(2026, 6, 30)  # 00:30 on the 30th in Hà Nội
    assert iso_date(dt.date(2026, 6, 29)) == dt.date(2026, 6, 29)
    assert iso_date("not a date") is None
    assert iso_date(None) is None


# The row's language. Vietnamese translations of the new strings come later, so these tests rely on
# (1) a probe template that prints the active language, which shows the mechanism whatever the catalogue
# holds, and (2) the strings case_received shares with pages that are already translated.


@pytest.fixture
def language_probe(settings, tmp_path):
    (tmp_path / "notifications").mkdir()
    (tmp_path / "notifications" / "language_probe.txt").write_text(
        "{% load i18n %}{% get_current_language as LANGUAGE %}language {{ LANGUAGE }}\nbody\n"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


@pytest.mark.django_db
def test_each_message_is_rendered_in_its_rows_language(language_probe):
    for language in ("vi", "en", "vi"):
        row = notification_enqueue(
            channel="email", recipient="a@example.vn", template="language_probe", context={}, language=language
        )
        with translation.override("en"):  # whatever the worker's own language
            notification_deliver(row.pk)
    assert [email.subject for email in mail.outbox] == ["language vi", "language en", "language vi"]


@pytest.mark.django_db
def test_the_received_message_speaks_vietnamese_or_english():
    for language in ("vi", "en"):
        row = notification_enqueue(
            channel="email", recipient="a@example.vn", template="case_received", context=CONTEXT, language=language
        )
        notification_deliver(row.pk)
    vietnamese, english = (email.body for email in mail.outbox)
    assert "Mã tra cứu hồ sơ: HD-2026-42" in vietnamese
    assert "Đã chuyển đến Sở Nông nghiệp và Môi trường Hà Nội là cơ quan có thẩm quyền." in vietnamese
    assert "Your tracking code: HD-2026-42" in english
    assert "Sent to Sở Nông nghiệp và Môi trường Hà Nội, the agency responsible." in english


@pytest.mark.django_db
def test_messages_are_in_vietnamese_unless_the_writer_says_otherwise():
    row = notification_enqueue(channel="sms", recipient="0912345678", template="case_received", context=CONTEXT)
    assert Notification.objects.get(pk=row.pk).language == "vi"
