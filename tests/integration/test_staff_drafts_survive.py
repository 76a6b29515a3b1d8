"""Drafts that survive: autosave keeps the text on the server; a refused save (the case moved to another
agency, another version saved meanwhile, the case closed) never answers "not found" and never loses the text
(the finding: ~3,200 characters typed while the leader transferred the case; "Lưu dự thảo" gave a 404)."""

from __future__ import annotations

import pytest
from caunoi.agencies.models import Agency
from caunoi.cases.models import AnswerVersion
from caunoi.cases.services import (
    DraftConflict,
    case_answer_autosave,
    case_answer_draft,
    case_claim,
    case_submit_for_review,
    case_transfer,
)
from django.urls import reverse

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

LONG_ANSWER = ("Kính gửi bà Hạnh, theo Điều 137 Luật Đất đai 2024, hồ sơ cấp giấy chứng nhận lần đầu gồm đơn "
               "đăng ký và giấy tờ về nguồn gốc đất. ") * 25  # fmt: skip


@pytest.fixture
def claimed(personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["official_a"])
    return case


def draft(client, case, body, base):
    return client.post(
        reverse("cases:staff-case-action", args=[case.id, "draft"]), {"body": body, "base_version": base}
    )


def test_saving_after_a_transfer_gives_the_text_back_with_where_the_case_went(client, personas, claimed):
    assert len(LONG_ANSWER) > 3000
    client.force_login(personas["official_a"])
    case_transfer(
        case=claimed, by=personas["leader"], to_agency=Agency.objects.get(code="BO-GDDT"), reason="Sai thẩm quyền."
    )
    response = draft(client, claimed, LONG_ANSWER, 0)
    html = response.content.decode()
    assert response.status_code == 409
    assert LONG_ANSWER.strip() in html.replace("&#x27;", "'")
    assert "Bộ Giáo dục và Đào tạo" in html
    assert claimed.tracking_code in html
    assert reverse("cases:staff-draft-download") in html
    assert not AnswerVersion.objects.filter(case=claimed).exists()


def test_someone_who_never_held_the_case_still_gets_not_found(client, personas, claimed):
    client.force_login(personas["official_b"])
    assert draft(client, claimed, "Một câu trả lời.", 0).status_code == 404


def test_another_version_saved_meanwhile_is_never_buried(client, personas, claimed):
    case_answer_draft(case=claimed, by=personas["leader"], body="Phiên bản của lãnh đạo.")
    client.force_login(personas["official_a"])
    response = draft(client, claimed, LONG_ANSWER, 0)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Phiên bản của lãnh đạo." in html  # theirs, to compare
    assert "phiên bản 2" in html.lower()  # keep mine as the next version
    assert AnswerVersion.objects.filter(case=claimed).count() == 1
    # Keeping it as version 2 from the page works.
    assert draft(client, claimed, LONG_ANSWER, 1).status_code == 302
    assert AnswerVersion.objects.get(case=claimed, number=2).body == LONG_ANSWER.strip()


def test_a_case_sent_for_review_offers_a_note_and_keeps_the_text(client, personas, claimed):
    case_answer_draft(case=claimed, by=personas["official_a"], body="Bản nháp đã gửi duyệt.")
    case_submit_for_review(case=claimed, by=personas["official_a"])
    client.force_login(personas["official_a"])
    response = draft(client, claimed, LONG_ANSWER, 1)
    html = response.content.decode()
    assert response.status_code == 409
    assert LONG_ANSWER.strip() in html.replace("&#x27;", "'")
    assert reverse("cases:staff-case-action", args=[claimed.id, "note"]) in html


def test_autosave_updates_its_own_version_then_the_save_keeps_it(client, personas, claimed):
    client.force_login(personas["official_a"])
    url = reverse("cases:staff-draft-autosave", args=[claimed.id])
    first = client.post(url, {"body": "Kính gửi bà", "base_version": 0})
    assert first.status_code == 200
    assert first.json()["version"] == 1
    assert first.json()["status"].startswith("Đã lưu lúc")
    again = client.post(url, {"body": "Kính gửi bà Hạnh,", "base_version": 1})
    assert again.json()["version"] == 1
    assert AnswerVersion.objects.get(case=claimed).body == "Kính gửi bà Hạnh,"
    assert draft(client, claimed, "Kính gửi bà Hạnh, hồ sơ gồm...", 1).status_code == 302
    assert list(AnswerVersion.objects.filter(case=claimed).values_list("number", "body")) == [
        (1, "Kính gửi bà Hạnh, hồ sơ gồm...")
    ]
    # After a save, the next autosave starts a new version: the saved one is never overwritten.
    assert client.post(url, {"body": "Sửa tiếp", "base_version": 1}).json()["version"] == 2


def test_autosave_after_a_transfer_says_what_changed(client, personas, claimed):
    client.force_login(personas["official_a"])
    case_transfer(
        case=claimed, by=personas["leader"], to_agency=Agency.objects.get(code="BO-GDDT"), reason="Sai thẩm quyền."
    )
    response = client.post(
        reverse("cases:staff-draft-autosave", args=[claimed.id]), {"body": "Kính gửi", "base_version": 0}
    )
    assert response.status_code == 409
    assert "Bộ Giáo dục và Đào tạo" in response.json()["conflict"]


def test_autosave_never_overwrites_a_colleagues_version(personas, claimed):
    case_answer_draft(case=claimed, by=personas["leader"], body="Của lãnh đạo.")
    with pytest.raises(DraftConflict):
        case_answer_autosave(case=claimed, by=personas["official_a"], body="Của tôi.", base_version=0)
    version = case_answer_autosave(case=claimed, by=personas["official_a"], body="Của tôi.", base_version=1)
    assert version.number == 2
    assert AnswerVersion.objects.get(case=claimed, number=1).body == "Của lãnh đạo."


@pytest.mark.parametrize(
    ("persona", "status"),
    [("citizen", 404), ("moderator", 404), ("official_b", 404), ("admin", 403), ("official_a", 200), ("leader", 200)],
)
def test_who_may_autosave(client, personas, claimed, persona, status):
    client.force_login(personas[persona])
    response = client.post(
        reverse("cases:staff-draft-autosave", args=[claimed.id]), {"body": "Nháp.", "base_version": 0}
    )
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [("citizen", 404), ("official_a", 200)])
def test_who_may_download_a_draft(client, personas, reference_data, persona, status):
    client.force_login(personas[persona])
    response = client.post(reverse("cases:staff-draft-download"), {"body": "Nội dung.", "code": "HD-2026-000001"})
    assert response.status_code == status
