"""From an approved answer to the portal: proposal with redactions, review, publish, unpublish, correct."""

from __future__ import annotations

import shutil

import pytest
from caunoi.cases.services import case_link_duplicate, case_split
from caunoi.publication import services
from caunoi.publication.models import PublicationEvent, PublishedItem, Status
from caunoi.publication.signals import item_corrected, item_published, item_unpublished
from caunoi.workflows import registry
from caunoi.workflows.types import PublicationPolicy
from django.urls import reverse
from django.utils import translation

from tests.support.publication import answer, answered_case, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    # These tests read messages in English (the message ids); pages default to Vietnamese otherwise.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_a_consented_answer_becomes_a_pending_item_with_personal_data_hidden(personas):
    case = answered_case(personas)
    item = PublishedItem.objects.get(case=case)
    assert item.status == Status.PENDING_REVIEW
    assert item.published_at is None
    public = f"{item.title} {item.question} {item.answer}"
    for secret in ("Nguyễn Văn An", "0912 345 678", "ngõ 34", "Hoàng Hoa Thám"):
        assert secret not in public
    assert "[" in item.question and "Luật Đất đai 2024" in item.answer
    assert item.source_question == case.body  # the original stays for the reviewer
    assert item.agency == case.agency and item.due_at == case.due_at and item.answered_at is not None
    assert item.asker_display == ""
    kinds = set(item.redactions.values_list("kind", flat=True))
    assert {"name", "phone", "address"} <= kinds
    assert list(item.events.values_list("type", flat=True)) == ["proposed"]


def test_the_name_is_shown_only_when_the_citizen_asked(personas):
    item = PublishedItem.objects.get(case=answered_case(personas, show_name=True))
    assert item.asker_display == "Nguyễn Văn An"


def test_no_item_without_consent(personas):
    answered_case(personas, consent=False)
    assert not PublishedItem.objects.exists()


def test_linked_duplicates_and_split_parts_are_not_proposed(personas, agencies):
    primary = submitted_case()
    duplicate = submitted_case(title="Hỏi lại về sổ đỏ")
    case_link_duplicate(case=duplicate, by=personas["official_a"], primary=primary)
    answer(primary, personas)
    assert list(PublishedItem.objects.values_list("case", flat=True)) == [primary.pk]

    whole = submitted_case(title="Hỏi về đất và xây dựng")
    parts = case_split(case=whole, by=personas["leader"], agencies=[agencies["SO-NNMT-HN"], agencies["SO-XD-HN"]])
    for part, official in zip(parts, ("official_a", "leader"), strict=True):
        from caunoi.cases.services import case_answer_draft, case_approve, case_claim, case_submit_for_review

        case_claim(case=part, by=personas[official])
        case_answer_draft(case=part, by=personas[official], body="Phần trả lời.")
        case_submit_for_review(case=part, by=personas[official])
        case_approve(case=part, by=personas["leader"], version=1)
    assert set(PublishedItem.objects.values_list("case", flat=True)) == {primary.pk, whole.pk}


def test_automatic_publication_when_the_policy_allows_it(personas, settings, tmp_path):
    root = tmp_path / "workflows"
    shutil.copytree(settings.WORKFLOWS_DIR, root)
    (root / "publication" / "v2.yaml").write_text(
        "version: 2\nauto_publish: {question: false, feedback: false, petition: false}\n"
        "agencies: {UBND-HN: {question: true}}\n",
        encoding="utf-8",
    )
    settings.WORKFLOWS_DIR = root  # the registry caches per folder: the shipped files come back afterwards
    published = []
    item_published.connect(
        lambda sender, item, by, **kw: published.append((item.pk, by)), weak=False, dispatch_uid="t1"
    )
    try:
        item = PublishedItem.objects.get(case=answered_case(personas))
    finally:
        item_published.disconnect(dispatch_uid="t1")
    assert item.status == Status.PUBLISHED
    assert published == [(item.pk, personas["leader"])]
    assert item.events.get(type="published").payload == {"automatic": True}


def test_agency_policy_overrides_the_default_for_it_and_below(agencies):
    policy = PublicationPolicy(version=1, auto_publish={"question": False}, agencies={"UBND-HN": {"question": True}})
    assert policy.allows_auto_publish("question", ["SO-NNMT-HN", "UBND-HN", "CP"])
    assert not policy.allows_auto_publish("question", ["BO-GDDT", "CP"])
    assert not policy.allows_auto_publish("feedback", ["SO-NNMT-HN", "UBND-HN"])


def test_the_shipped_policy_publishes_nothing_automatically():
    policy = registry.workflows().publication_policy
    assert not any(policy.auto_publish.values())


def test_review_add_and_remove_redactions_then_publish(personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    moderator = personas["moderator"]
    services.item_redaction_add(item=item, phrase="bộ phận một cửa", kind="other", by=moderator)
    item.refresh_from_db()
    assert "bộ phận một cửa" not in item.answer
    phone = item.redactions.get(kind="phone", text="0912 345 678")
    services.item_redaction_remove(item=item, redaction_id=phone.pk, by=moderator)
    item.refresh_from_db()
    assert "0912 345 678" in item.question
    seen = []
    item_published.connect(lambda sender, item, by, **kw: seen.append(by), weak=False, dispatch_uid="t2")
    try:
        services.item_publish(item=item, by=moderator)
    finally:
        item_published.disconnect(dispatch_uid="t2")
    item.refresh_from_db()
    assert (item.status, item.published_at is not None, seen) == (Status.PUBLISHED, True, [moderator])
    assert item.revisions.get().number == 1
    events = list(item.events.values_list("type", flat=True))
    assert events == ["proposed", "redaction_added", "redaction_removed", "published"]
    # The log never holds the hidden words themselves.
    assert "bộ phận" not in str(list(PublicationEvent.objects.values_list("payload", flat=True)))


def test_edit_before_publication_keeps_redactions_applied(personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    services.item_edit(
        item=item,
        title="Thủ tục cấp sổ đỏ lần đầu",
        question="Ông Nguyễn Văn An hỏi về sổ đỏ.",
        answer="Nộp hồ sơ tại xã.",
        by=personas["moderator"],
    )
    item.refresh_from_db()
    assert item.title == "Thủ tục cấp sổ đỏ lần đầu"
    assert "Nguyễn Văn An" not in item.question and item.answer == "Nộp hồ sơ tại xã."


def test_unpublish_needs_a_reason_and_records_it(personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    services.item_publish(item=item, by=personas["moderator"])
    with pytest.raises(services.ReasonRequired):
        services.item_unpublish(item=item, reason="  ", by=personas["moderator"])
    reasons = []
    item_unpublished.connect(lambda sender, reason, **kw: reasons.append(reason), weak=False, dispatch_uid="t3")
    try:
        services.item_unpublish(item=item, reason="Công dân đề nghị gỡ", by=personas["moderator"])
    finally:
        item_unpublished.disconnect(dispatch_uid="t3")
    item.refresh_from_db()
    assert item.status == Status.UNPUBLISHED and reasons == ["Công dân đề nghị gỡ"]
    assert item.events.get(type="unpublished").payload == {"reason": "Công dân đề nghị gỡ"}
    with pytest.raises(services.WrongItemStatus):
        services.item_unpublish(item=item, reason="again", by=personas["moderator"])


def test_correction_keeps_the_history(personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    services.item_publish(item=item, by=personas["moderator"])
    first_answer = PublishedItem.objects.get(pk=item.pk).answer
    with pytest.raises(services.WrongItemStatus):
        services.item_redaction_add(item=item, phrase="x", kind="other", by=personas["moderator"])
    revisions = []
    item_corrected.connect(
        lambda sender, revision, **kw: revisions.append(revision.number), weak=False, dispatch_uid="t4"
    )
    try:
        services.item_correct(
            item=item,
            title=item.source_title,
            question=item.source_question,
            answer="Theo Luật Đất đai 2024 (sửa): nộp hồ sơ tại bộ phận một cửa. Gọi 0987 654 321.",
            reason="Sửa trích dẫn",
            by=personas["moderator"],
        )
    finally:
        item_corrected.disconnect(dispatch_uid="t4")
    item.refresh_from_db()
    assert "(sửa)" in item.answer
    assert revisions == [2]
    history = list(item.revisions.values_list("number", "answer", "reason"))
    assert history[0] == (1, first_answer, "")
    assert history[1][0] == 2 and history[1][2] == "Sửa trích dẫn"
    # The active redactions still apply to the corrected text, and personal data in the new words is hidden
    # too (a correction must not publish a phone number the detector would have caught at proposal).
    assert "0987 654 321" not in item.answer and "[hidden: phone number]" in item.answer
    services.item_correct(
        item=item,
        title=item.source_title,
        question=item.source_question,
        answer="Trả lời ông Nguyễn Văn An: đã sửa.",
        reason="Lần hai",
        by=personas["moderator"],
    )
    item.refresh_from_db()
    assert "Nguyễn Văn An" not in item.answer and item.revisions.count() == 3


def test_publishing_an_empty_item_is_refused(personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    services.item_edit(item=item, title="Tiêu đề", question="Câu hỏi", answer="  ", by=personas["moderator"])
    with pytest.raises(services.NothingToPublish):
        services.item_publish(item=item, by=personas["moderator"])


def test_the_review_page_shows_the_original_beside_the_public_text(personas, web):
    item = PublishedItem.objects.get(case=answered_case(personas))
    web.force_login(personas["moderator"])
    page = web.get(reverse("publication:review-item", args=[item.pk])).content.decode()
    assert "What the public will see" in page or "công chúng" in page
    assert "0912 345 678" in page  # in the original column and the redaction list, for the reviewer only
    response = web.post(reverse("publication:review-action", args=[item.pk, "publish"]))
    assert response.status_code == 302
    assert PublishedItem.objects.get(pk=item.pk).status == Status.PUBLISHED
    public = web.get(reverse("publication:item", args=[item.slug])).content.decode()
    assert "0912 345 678" not in public and "Nguyễn Văn An" not in public


def test_the_item_page_counts_days_like_the_legal_period(web, reference_data):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from caunoi.agencies.models import Agency
    from caunoi.publication.selectors import item_timing

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    item = PublishedItem.objects.create(
        slug="tinh-ngay",
        kind="question",
        agency=Agency.objects.get(code="SO-NNMT-HN"),
        title="Hỏi về thời hạn",
        question="Câu hỏi",
        answer="Trả lời",
        status=Status.PUBLISHED,
        received_at=dt.datetime(2026, 6, 5, 16, tzinfo=vn),  # a Friday: the period starts on Monday
        answered_at=dt.datetime(2026, 6, 10, 9, tzinfo=vn),  # Wednesday
        due_at=dt.datetime(2026, 6, 26, 23, 59, tzinfo=vn),
        published_at=dt.datetime(2026, 6, 11, tzinfo=vn),
    )
    timing = item_timing(item)
    assert timing is not None
    assert (timing.days_taken, timing.legal_days, timing.unit, timing.on_time) == (3, 15, "working_days", True)
    item.kind, item.answered_at = "feedback", dt.datetime(2026, 6, 30, tzinfo=vn)
    timing = item_timing(item)
    assert timing is not None
    assert (timing.days_taken, timing.unit, timing.on_time) == (25, "calendar_days", False)
    page = web.get(reverse("publication:item", args=[item.slug]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 working days, of 15 allowed by law" in page


def test_a_bad_publication_policy_is_reported_with_file_line_and_field(settings, tmp_path):
    from caunoi.workflows.loader import WorkflowError, load_workflows

    root = tmp_path / "workflows"
    shutil.copytree(settings.WORKFLOWS_DIR, root)
    (root / "publication" / "v2.yaml").write_text(
        "version: 2\nauto_publish:\n  question: yes please\n  feedback: false\n  petition: false\n", encoding="utf-8"
    )
    with pytest.raises(WorkflowError) as error:
        load_workflows(root)
    assert "publication/v2.yaml, line 3, field auto_publish.question" in str(error.value)


def test_the_public_page_lists_corrections_and_the_review_page_marks_hidden_words(personas, web):
    item = PublishedItem.objects.get(case=answered_case(personas))
    web.force_login(personas["moderator"])
    review = web.get(reverse("publication:review-item", args=[item.pk])).content.decode()
    assert '<mark class="pub-hidden">[' in review
    services.item_publish(item=item, by=personas["moderator"])
    item.refresh_from_db()
    services.item_correct(
        item=item, title=item.source_title, question=item.source_question, answer="Đã sửa.",
        reason="Cập nhật theo nghị định mới", by=personas["moderator"],
    )  # fmt: skip
    page = web.get(reverse("publication:item", args=[item.slug])).content.decode()
    assert "Cập nhật theo nghị định mới" in page and "Đã sửa." in page


def test_the_front_page_shows_an_item_as_soon_as_it_is_published(personas, web):
    item = PublishedItem.objects.get(case=answered_case(personas))
    assert item.title not in web.get("/").content.decode()  # pending: not public
    services.item_publish(item=item, by=personas["moderator"])
    assert item.title in web.get("/").content.decode()
    services.item_unpublish(item=item, reason="Gỡ", by=personas["moderator"])
    assert item.title not in web.get("/").content.decode()
