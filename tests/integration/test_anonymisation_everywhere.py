"""After ANONYMISE_AFTER_MONTHS nothing that identifies a citizen is left anywhere: a case built through
every path (an account, consent to publish with the name shown, attachments, messages both ways, an
idempotent API submission, publication with a reviewer's redactions, an appeal, a dialogue question with contact
details that was answered on air and published, another that became a case) is searched for in every text
column of every table, and no row outside the citizen's own account points at their account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from caunoi.accounts.models import User
from caunoi.cases.models import Attachment, Case
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
from caunoi.cases.services.appeal import case_appeal
from caunoi.cases.tasks import anonymise_closed_cases
from caunoi.dialogues.models import State
from caunoi.dialogues.services import (
    answer_publish,
    dialogue_advance,
    question_approve,
    question_ask,
    question_mark_answered,
    question_vote,
)
from caunoi.dialogues.tasks import anonymise_ended_dialogues
from caunoi.dialogues.testing import make_dialogue
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_publish, item_redaction_add
from caunoi.social.models import SocialPost
from caunoi.syndication.models import Delivery, Subscription
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import ForeignKey

from tests.conftest import api_as
from tests.support import files
from tests.support.social import make_channel

pytestmark = pytest.mark.django_db(transaction=True)

VN = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2024, 3, 4, 9, 0, tzinfo=VN)
NAME, GIVEN = "Trần Thị Hạnh", "Hạnh"
EMAIL, PHONE, ADDRESS = "hanh.tran@example.org", "0912345678", "số 12 ngõ 34 phố Huế"
# What must be found nowhere: the name (and the given name alone), the e-mail, the phone as typed and as
# written in texts, the street address.
PERSONAL = [NAME, GIVEN, "hanh.tran", PHONE, "0912 345 678", "345 678", "ngõ 34"]
# Tables of the citizen's own account (kept until they close it) and Django's own bookkeeping.
ACCOUNT_TABLES = ("accounts_", "auth_", "authtoken_", "otp_", "django_session", "django_migrations")


def build_everything(personas) -> tuple[User, list[int]]:
    citizen = User.objects.create_user(
        username=EMAIL, email=EMAIL, password="x-Very-long-password-1", first_name=GIVEN, last_name="Trần Thị"
    )
    leader, official, moderator = personas["leader"], personas["official_a"], personas["moderator"]
    # A partner portal and a social channel: publishing sends them the item (webhook bodies, posts are kept).
    Subscription.objects.create(name="Partner", url="https://partner.example/hooks", secret="s" * 32)
    make_channel("webhook", agency="SO-NNMT-HN")
    with time_machine.travel(START, tick=False):
        response = api_as(citizen).post(
            "/api/v1/cases/",
            {
                "kind": "question",
                "title": f"{NAME} hỏi về cấp sổ đỏ",
                "body": f"Tôi là {NAME}, ở {ADDRESS}, điện thoại 0912 345 678. Xin hỏi thủ tục cấp sổ đỏ lần đầu.",
                "category": "dat-dai",
                "area": "tinh-01",
                "name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "address": ADDRESS,
                "consent_to_publish": True,
                "show_name_publicly": True,
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="8f0c7f0e-2d6b-4f7e-9d0a-3a1b2c3d4e5f",
        )
        assert response.status_code == 201, response.content
        case = Case.objects.get(tracking_code=response.json()["tracking_code"])
        assert case.submitter == citizen
        picture = files.png_bytes()
        attachment = Attachment(
            case=case, stored_name="x.png", original_name=f"so-do-{GIVEN}.png", content_type="image/png", size=1
        )
        attachment.file.save("anh.png", files.upload("anh.png", picture), save=True)

        dialogue = make_dialogue(
            agency=case.agency, hosts=[leader], moderators=[moderator], title="Đối thoại về đất đai"
        )
        asked = question_ask(
            dialogue=dialogue, asker_name=NAME, text=f"Tôi ở {ADDRESS}, khi nào được cấp sổ đỏ?",
            email=EMAIL, phone=PHONE, user=citizen,
        )  # fmt: skip
        later = question_ask(
            dialogue=dialogue, asker_name=NAME, text="Tiền đền bù được trả khi nào?", email=EMAIL, phone=PHONE,
            user=citizen,
        )  # fmt: skip
        for question in (asked, later):
            question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
        question_vote(dialogue_id=dialogue.pk, question_id=later.pk, voter=f"u:{citizen.pk}")
        answer_publish(dialogue_id=dialogue.pk, question_id=asked.pk, text=f"Chị {GIVEN} chờ đến quý III.", by=leader)
        question_mark_answered(dialogue_id=dialogue.pk, question_id=asked.pk, by=leader)
        dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=leader)  # `later` becomes a case
        dialogue_advance(dialogue_id=dialogue.pk, to_state=State.PUBLISHED, by=leader)

    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        case_claim(case=case, by=official)
        case_request_info(case=case, by=official, message=f"Chị {GIVEN} cho biết thửa đất ở đâu?")
        case_citizen_reply(case=Case.objects.get(pk=case.pk), body=f"Thửa đất ở {ADDRESS}, gọi {PHONE}.")
        case_note_add(case=case, by=official, body=f"Đã gọi cho chị {GIVEN} theo số 0912 345 678.")
        case_answer_draft(case=case, by=official, body=f"Kính gửi bà {NAME}, hồ sơ gồm đơn và giấy tờ.")
        case_submit_for_review(case=case, by=official)
        case_approve(case=Case.objects.get(pk=case.pk), by=leader, version=1)
        case_rate(case=Case.objects.get(pk=case.pk), score=4, comment=f"Cảm ơn, {NAME}")
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):  # the citizen appeals the answer
        case_appeal(case=Case.objects.get(pk=case.pk), reason=f"Tôi là {NAME}, chưa đồng ý; gọi {PHONE}.")
        for item in PublishedItem.objects.filter(status=Status.PENDING_REVIEW):
            item_redaction_add(item=item, phrase=GIVEN, kind="name", by=moderator, everywhere=True)
            item_publish(item=item, by=moderator)
    # An administrator once edited the case: the admin's history names it by its title.
    LogEntry.objects.create(
        user=personas["admin"], content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk),
        object_repr=str(case)[:200], action_flag=CHANGE, change_message="[]",
    )  # fmt: skip
    from_dialogue = Case.objects.filter(channel="dialogue")
    assert from_dialogue.count() == 1
    return citizen, [case.pk, *from_dialogue.values_list("pk", flat=True)]


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        return [(t, c) for t, c in cursor.fetchall() if not t.startswith(ACCOUNT_TABLES)]


def found_anywhere(needles: list[str]) -> list[tuple[str, str, str]]:
    hits = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for needle in needles:
                # JSON may hold the text escaped (\uXXXX): look for both spellings.
                for spelling in {needle, json.dumps(needle)[1:-1]}:
                    cursor.execute(
                        f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                        [f"%{spelling}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append((table, column, needle))
    return hits


def pointing_at(user: User) -> list[str]:
    hits = []
    for model in apps.get_models():
        if model._meta.db_table.startswith(ACCOUNT_TABLES):
            continue
        for field in model._meta.concrete_fields:
            points = isinstance(field, ForeignKey) and field.related_model is User
            if points and model.objects.filter(**{field.attname: user.pk}).exists():
                hits.append(f"{model._meta.label}.{field.name}")
    return hits


def test_nothing_identifies_the_citizen_once_their_data_is_anonymised(personas, settings):
    citizen, case_ids = build_everything(personas)
    assert found_anywhere([NAME])  # the search does see personal data while it is kept
    assert Delivery.objects.exists() and SocialPost.objects.exists()
    assert pointing_at(citizen)
    for case in Case.objects.filter(pk__in=case_ids, closed_at__isnull=True):
        Case.objects.filter(pk=case.pk).update(closed_at=START + dt.timedelta(days=3), status="rejected")

    with time_machine.travel(START + dt.timedelta(days=3 + 25 * 31)):
        assert anonymise_closed_cases() == 2
        assert anonymise_ended_dialogues() == 1

    assert found_anywhere(PERSONAL) == []
    assert pointing_at(citizen) == []
    published = PublishedItem.objects.filter(status=Status.PUBLISHED)
    assert published.count() == 2  # the answers stay public, without the person
    assert all(item.asker_display == "" for item in published)
    assert all("sổ đỏ" in item.question for item in published)
