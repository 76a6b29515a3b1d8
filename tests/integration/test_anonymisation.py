"""ANONYMISE_AFTER_MONTHS after a case closed, its submitter's personal data is gone from every text and
field of the case, its attachments are deleted, and what statistics read is unchanged."""

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import Attachment, Case, EventType
from caunoi.cases.services import (
    case_answer_draft,
    case_approve,
    case_citizen_reply,
    case_claim,
    case_note_add,
    case_rate,
    case_request_info,
    case_submit_for_review,
)
from caunoi.cases.services.anonymise import anonymise_cutoff
from caunoi.cases.tasks import anonymise_closed_cases
from caunoi.notifications.models import Notification
from django.core.files.storage import default_storage

from tests.support import files
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db(transaction=True)  # files are deleted after commit

VN = dt.timezone(dt.timedelta(hours=7))
SUBMITTED = dt.datetime(2024, 3, 4, 9, 0, tzinfo=VN)


def answered_case(personas, **kwargs):
    """A case that went through a whole life: attachment, a question back and forth, an answer, a rating."""
    with time_machine.travel(SUBMITTED, tick=False):
        case, _token = submit_case(
            body="Tôi là Trần Thị Hạnh, số 12 ngõ 34 phố Huế, điện thoại 0912 345 678. Xin hỏi thủ tục cấp sổ đỏ.",
            phone="0912345678",
            **kwargs,
        )
        picture = files.png_bytes()
        attachment = Attachment(
            case=case, stored_name="x.png", original_name="anh.png", content_type="image/png", size=len(picture)
        )
        attachment.file.save("anh.png", files.upload("anh.png", picture), save=True)
    official, leader = personas["official_a"], personas["leader"]
    with time_machine.travel(SUBMITTED + dt.timedelta(days=2), tick=False):
        case_claim(case=case, by=official)
        case_request_info(case=case, by=official, message="Chị Hạnh cho biết thửa đất ở đâu?")
        case_citizen_reply(case=Case.objects.get(pk=case.pk), body="Thửa đất ở số 12 ngõ 34 phố Huế, gọi 0912345678.")
        case_note_add(case=case, by=official, body="Đã gọi cho chị Hạnh theo số 0912 345 678.")
        case_answer_draft(case=case, by=official, body="Kính gửi bà Trần Thị Hạnh, hồ sơ gồm đơn và giấy tờ.")
        case_submit_for_review(case=case, by=official)
        case_approve(case=Case.objects.get(pk=case.pk), by=leader, version=1)
        case_rate(case=Case.objects.get(pk=case.pk), score=4, comment="Cảm ơn, Trần Thị Hạnh")
    return Case.objects.get(pk=case.pk), attachment.file.name


def figures(case: Case) -> tuple:
    return (
        case.kind, case.category_id, case.area_id, case.agency_id, case.received_at, case.closed_at, case.due_at,
        list(case.events.exclude(type=EventType.ANONYMISED).values_list("type", "at")), case.rating.score,
    )  # fmt: skip


def test_personal_data_is_gone_and_statistics_are_kept(personas):
    case, stored_file = answered_case(personas)
    before = figures(case)
    assert default_storage.exists(stored_file)
    assert Notification.objects.filter(subject_ref=f"case:{case.pk}").exists()

    with time_machine.travel(case.closed_at + dt.timedelta(days=24 * 31)):
        assert anonymise_closed_cases() == 1

    case = Case.objects.get(pk=case.pk)
    assert (case.contact_name, case.contact_email, case.contact_phone, case.contact_address) == ("", "", "", "")
    assert case.submitter is None and case.anonymised_at is not None
    texts = [case.title, case.body, case.rating.comment]
    texts += list(case.messages.values_list("body", flat=True))
    texts += list(case.answer_versions.values_list("body", flat=True))
    texts += list(case.notes.values_list("body", flat=True))
    for text in texts:
        for personal in ("Hạnh", "0912", "345 678", "ngõ 34"):
            assert personal not in text, text
    assert "cấp sổ đỏ" in case.body  # the question itself stays readable
    assert not case.attachments.exists() and not default_storage.exists(stored_file)
    assert not Notification.objects.filter(subject_ref=f"case:{case.pk}").exists()
    assert figures(case) == before
    assert case.events.filter(type=EventType.ANONYMISED).count() == 1


def test_a_case_closed_more_recently_is_left_alone_and_a_second_run_does_nothing(personas):
    case, _stored_file = answered_case(personas)
    with time_machine.travel(case.closed_at + dt.timedelta(days=23 * 30)):
        assert anonymise_closed_cases() == 0
    assert Case.objects.get(pk=case.pk).contact_phone == "0912345678"
    with time_machine.travel(case.closed_at + dt.timedelta(days=25 * 31)):
        assert anonymise_closed_cases() == 1
        assert anonymise_closed_cases() == 0
    assert Case.objects.get(pk=case.pk).events.filter(type=EventType.ANONYMISED).count() == 1


def test_open_cases_are_never_anonymised(reference_data):
    with time_machine.travel(SUBMITTED, tick=False):
        case, _token = submit_case(phone="0912345678")
    with time_machine.travel(SUBMITTED + dt.timedelta(days=5 * 365)):
        assert anonymise_closed_cases() == 0
    assert Case.objects.get(pk=case.pk).contact_phone == "0912345678"


@pytest.mark.parametrize(
    ("now", "months", "cutoff"),
    [
        (dt.datetime(2026, 11, 29, 10, tzinfo=VN), 24, dt.datetime(2024, 11, 28, 10, tzinfo=VN)),
        (dt.datetime(2026, 3, 15, 10, tzinfo=VN), 24, dt.datetime(2024, 3, 15, 10, tzinfo=VN)),
        (dt.datetime(2026, 1, 10, 10, tzinfo=VN), 3, dt.datetime(2025, 10, 10, 10, tzinfo=VN)),
    ],
)
def test_the_cutoff_is_whole_months_back(settings, now, months, cutoff):
    settings.ANONYMISE_AFTER_MONTHS = months
    assert anonymise_cutoff(now) == cutoff
