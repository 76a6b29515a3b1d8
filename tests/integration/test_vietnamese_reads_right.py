"""Every page and message in Vietnamese reads as Vietnamese: rendered for each role, none shows a string of our
catalogue left in English, nor English typed straight into code (tests/support/english_text.py)."""

from pathlib import Path

import pytest
from caunoi.cases.services import case_request_info
from caunoi.notifications.rendering import render_message
from caunoi.publication.models import PublishedItem
from caunoi.publication.services.review import item_publish
from django.test import Client

from tests.support.cases import submit_case
from tests.support.english_text import english_in, visible_text
from tests.support.publication import answered_case

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/submit/", "/track/", "/hoi-dap/", "/hoi-dap/?q=xyzzy&kind=question", "/dialogues/",
          "/accounts/login/", "/accounts/register/", "/accounts/password-reset/"]  # fmt: skip
STAFF = ["/staff/queue/", "/staff/erasure-requests/", "/accounts/two-factor/"]
MODERATOR = ["/staff/publication/", "/staff/held/"]
LEADER = ["/staff/reports/", "/staff/analytics/"]
ADMIN = ["/admin/", "/admin/notifications/", "/admin/cases/case/"]


def _client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    if user is not None:
        client.force_login(user)
    return client


def _english_on(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return [f"{url}: {finding}" for finding in english_in(visible_text(response.content.decode()))]


@pytest.fixture
def world(personas, reference_data):
    answered = answered_case(personas)
    item = PublishedItem.objects.filter(case=answered).first()
    if item is not None and item.status != "published":
        item = item_publish(item=item, by=personas["moderator"])
    waiting, token = submit_case(submitter=personas["citizen"])
    from caunoi.cases.services import case_claim

    case_claim(case=waiting, by=personas["official_a"])
    case_request_info(case=waiting, by=personas["official_a"], message="Xin gửi bản sao sổ đỏ.")
    return {"answered": answered, "item": item, "waiting": waiting, "token": token}


def test_pages_read_as_vietnamese_for_every_role(personas, world):
    findings = []
    anonymous = _client()
    for url in PUBLIC:
        findings += _english_on(anonymous, url)
    if world["item"] is not None:
        findings += _english_on(anonymous, f"/hoi-dap/{world['item'].slug}/")
    citizen = _client(personas["citizen"])
    for url in ["/my-cases/", f"/track/{world['waiting'].tracking_code}/"]:
        findings += _english_on(citizen, url)
    official = _client(personas["official_a"])
    for url in [*STAFF, f"/staff/cases/{world['waiting'].pk}/", f"/staff/cases/{world['answered'].pk}/"]:
        findings += _english_on(official, url)
    for url in LEADER:
        findings += _english_on(_client(personas["leader"]), url)
    for url in MODERATOR:
        findings += _english_on(_client(personas["moderator"]), url)
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    for url in ADMIN:
        findings += _english_on(_client(admin), url)
    assert not findings, "\n".join(findings)


MESSAGE_CONTEXT = {
    "tracking_code": "HD-2026-000123", "title": "Hỏi về cấp sổ đỏ", "agency": "Sở Nông nghiệp và Môi trường Hà Nội",
    "to_agency": "Sở Xây dựng Hà Nội", "from_agency": "Sở Nông nghiệp và Môi trường Hà Nội", "days": 5,
    "legal_days": 15, "unit": "working_days", "reason": "Cần thêm thời gian xác minh.", "due_date": "2026-12-31",
    "track_url": "http://127.0.0.1:8000/track/?code=HD-2026-000123", "message": "Xin gửi bản sao sổ đỏ.",
    "answer": "Hồ sơ gồm đơn đề nghị.", "case_url": "http://127.0.0.1:8000/staff/cases/1/", "portal_url":
    "http://127.0.0.1:8000", "status_label": "Đang xử lý", "primary": "HD-2026-000100", "parts": "HD-2026-000124",
    "decision": "Giữ nguyên câu trả lời.", "count": 3, "username": "can-bo", "when": "2026-12-07", "days_late": 2,
    "days_before": 1, "why": "assignee", "meant_for": "Sở Xây dựng Hà Nội", "level": 1, "window_hours": 1,
    "agencies": "Sở Xây dựng Hà Nội", "pointer": "", "comment": "Bổ sung căn cứ pháp lý.", "kind": "many_accounts",
    "address": "203.0.113.5", "new_email": "n***@example.org", "appeal_until": "2026-12-31",
}  # fmt: skip


def test_every_notification_reads_as_vietnamese(reference_data):
    folder = Path(__file__).resolve().parents[2] / "frontend/templates/notifications"
    findings = []
    for path in sorted(folder.glob("*.txt")):
        message = render_message(template=path.stem, context=MESSAGE_CONTEXT, language="vi")
        findings += [f"{path.stem}: {f}" for f in english_in(f"{message.subject}\n{message.body}")]
    assert not findings, "\n".join(findings)


def test_every_app_and_model_is_named_in_vietnamese():
    """The admin says "Quản lý <app>" and lists its models by their verbose names: each needs a translation."""
    from django.apps import apps
    from django.contrib import admin
    from django.utils import translation

    def names(language: str) -> dict[str, str]:
        with translation.override(language):
            found = {}
            for config in apps.get_app_configs():
                if config.name.startswith("caunoi."):
                    found[config.label] = str(config.verbose_name)
                    for model in (m for m in config.get_models() if admin.site.is_registered(m)):
                        found[f"{config.label}.{model.__name__}"] = str(model._meta.verbose_name_plural)
            return found

    english, vietnamese = names("en"), names("vi")
    untranslated = sorted(key for key in english if english[key] == vietnamese[key])
    assert not untranslated, untranslated


def test_a_dialogue_question_keeps_its_origin_in_vietnamese_whoever_closes_it():
    """The origin line is stored with the case's text: written in the portal's language even when the leader
    who closes the dialogue reads the site in English."""
    from types import SimpleNamespace

    from caunoi.dialogues.services.lifecycle import _asked_during
    from django.utils import translation

    with translation.override("en"):
        line = _asked_during(SimpleNamespace(title="Đối thoại về đất đai"))
    assert english_in(line) == [] and "Đối thoại về đất đai" in line


def test_the_date_of_an_answer_is_not_called_an_approval(personas, world):
    html = _client().get(f"/hoi-dap/{world['item'].slug}/").content.decode()
    assert "Phê duyệt và gửi trả lời" not in html and "Ngày trả lời" in html


def test_password_rules_speak_vietnamese(reference_data):
    form = {"username": "nguoi-dan-moi", "email": "moi@example.org", "password1": "a1b", "password2": "a1b"}
    html = _client().post("/accounts/register/", form).content.decode()
    assert "id_password" in html  # the form came back with its errors
    assert english_in(visible_text(html)) == []
