"""Personal data never reaches the public (Law 91/2025): what the detector proposes is hidden on every public
surface, search never indexes markers or hidden words, a reviewer hides one occurrence rather than every use
of a common word, a pending item can be declined, and a privacy correction of a published item leaves no
public trace of what was exposed while partners receive the corrected item."""

from __future__ import annotations

import json

import pytest
from caunoi.publication import services
from caunoi.publication.models import PublicationEventType, PublishedItem, Redaction, Status
from caunoi.publication.signals import item_public_changed
from caunoi.syndication.models import Delivery, Subscription
from caunoi.syndication.tasks import deliver_webhook
from django.urls import reverse
from django.utils import translation

from tests.support.publication import answer, submitted_case

pytestmark = pytest.mark.django_db

SPACED_ID = "0012 3456 7890"


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"
    with translation.override("en"):
        yield


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Delivery ids handed to the broker (instead of the broker: no partner is called here)."""
    ids: list[int] = []
    monkeypatch.setattr(deliver_webhook, "delay", ids.append)
    return ids


def _item(personas, body: str, answer_body: str = "") -> PublishedItem:
    case = answer(submitted_case(body=body), personas, body=answer_body)
    return PublishedItem.objects.get(case=case)


def _public_surfaces(web, item: PublishedItem) -> str:
    """Everything the public can read about the item: its page, the API list and detail, the Atom feed."""
    item.refresh_from_db()
    parts = [
        web.get(reverse("publication:item", args=[item.slug])).content.decode(),
        web.get("/api/v1/published/").content.decode(),
        web.get(f"/api/v1/published/{item.slug}/").content.decode(),
        web.get("/feeds/published.atom").content.decode(),
        web.get("/").content.decode(),
    ]
    return "\n".join(parts)


def _search_finds(web, q: str, item: PublishedItem) -> bool:
    found = web.get("/api/v1/published/", {"q": q}).json()
    return item.slug in json.dumps(found)


def test_an_id_number_written_with_spaces_never_goes_public(personas, web, django_capture_on_commit_callbacks):
    item = _item(
        personas,
        body=f"Tôi xin cung cấp số CCCD {SPACED_ID} và hỏi thủ tục cấp đổi thẻ căn cước khi chuyển nơi cư trú.",
    )
    assert ("id_number", SPACED_ID) in set(item.redactions.values_list("kind", "text"))
    with django_capture_on_commit_callbacks(execute=True):
        services.item_publish(item=item, by=personas["moderator"])
    public = _public_surfaces(web, item)
    assert SPACED_ID not in public and "3456" not in public
    assert "căn cước" in public
    assert not _search_finds(web, "3456", item)
    assert not _search_finds(web, SPACED_ID, item)


def test_markers_and_hidden_words_are_not_searchable(personas, web, django_capture_on_commit_callbacks):
    redacted = _item(
        personas,
        body="Ông Trần Văn Hùng hàng xóm xây tường lấn lối đi chung, xin hỏi cách xử lý.",
        answer_body="Đề nghị liên hệ tổ hòa giải ở cơ sở để được giúp đỡ.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.item_publish(item=redacted, by=personas["moderator"])
    redacted.refresh_from_db()
    assert "[hidden: personal name]" in redacted.question or "[đã ẩn: họ tên]" in redacted.question
    # "họ tên" (personal name) and "hidden" only occur inside markers; the hidden name itself is gone.
    for q in ("họ", "họ tên", "tên", "hidden", "personal name", "đã ẩn", "Hùng", "Trần Văn Hùng", "tran van hung"):
        assert not _search_finds(web, q, redacted), q
    assert _search_finds(web, "tường lấn lối đi", redacted)


def test_hiding_a_common_word_hides_that_occurrence_only(personas):
    item = _item(
        personas,
        body="Nhà tôi có mảnh đất đầu ngõ, hàng xóm tên là Đất hay đổ rác sang.",
        answer_body="Theo Luật Đất đai 2024, tranh chấp đất đai được hòa giải tại xã.",
    )
    moderator = personas["moderator"]
    with pytest.raises(services.PhraseAmbiguous) as refused:
        services.item_redaction_add(item=item, phrase="đất", kind="name", by=moderator)
    assert refused.value.status_code == 400 and "4" in str(refused.value.message)
    services.item_redaction_add(item=item, phrase="Đất", kind="name", by=moderator, field="question", occurrence=2)
    item.refresh_from_db()
    assert "mảnh đất đầu ngõ" in item.question
    assert "tên là [hidden: personal name] hay" in item.question
    assert "Luật Đất đai 2024" in item.answer and "tranh chấp đất đai" in item.answer
    with pytest.raises(services.PhraseAmbiguous):  # no third "đất" in the question
        services.item_redaction_add(item=item, phrase="đất", kind="other", by=moderator, field="question", occurrence=3)
    # A phrase that appears once needs no choosing; hiding it everywhere is still possible on request.
    services.item_redaction_add(item=item, phrase="hòa giải", kind="other", by=moderator)
    services.item_redaction_add(item=item, phrase="đất đai", kind="other", by=moderator, everywhere=True)
    item.refresh_from_db()
    assert "hòa giải" not in item.answer and "Luật Đất đai" not in item.answer


def test_the_review_page_hides_one_occurrence_and_explains_an_ambiguous_phrase(personas, web):
    item = _item(personas, body="Mảnh đất của tôi giáp đất của ông Đất.", answer_body="Luật Đất đai quy định rõ.")
    web.force_login(personas["moderator"])
    url = reverse("publication:review-action", args=[item.pk, "redact"])
    page = web.post(url, {"phrase": "đất", "kind": "other"}, follow=True).content.decode()
    assert "appear 4 times" in page and 'value="đất"' in page  # what was typed is kept
    web.post(url, {"phrase": "Đất", "kind": "name", "field": "question", "occurrence": "3"})
    item.refresh_from_db()
    assert item.question.startswith("Mảnh đất của tôi giáp đất của ông [hidden")
    assert "Luật Đất đai" in item.answer


def test_a_pending_item_can_be_declined_with_a_reason(personas, web):
    item = _item(personas, body="Con tôi bị bạo lực học đường ở trường, tôi xin hỏi hướng xử lý.")
    with pytest.raises(services.ReasonRequired):
        services.item_decline(item=item, reason="  ", by=personas["moderator"])
    web.force_login(personas["moderator"])
    web.post(reverse("publication:review-action", args=[item.pk, "decline"]), {"reason": "Liên quan trẻ em"})
    item.refresh_from_db()
    assert item.status == Status.DECLINED
    event = item.events.get(type=PublicationEventType.DECLINED)
    assert event.actor == personas["moderator"] and event.payload["reason"] == "Liên quan trẻ em"
    with pytest.raises(services.WrongItemStatus):
        services.item_publish(item=item, by=personas["moderator"])
    assert web.get(reverse("publication:item", args=[item.slug])).status_code == 404
    listed = web.get(reverse("publication:review-list"), {"status": "declined"}).content.decode()
    assert item.title in listed


def test_a_privacy_correction_purges_the_old_text_everywhere_without_a_public_note(
    personas, web, queued, django_capture_on_commit_callbacks
):
    Subscription.objects.create(name="Cổng Chính phủ", url="https://gov.example/hooks", secret="s" * 32)
    leaked = "Bùi Thị Lành 0387 111 222"
    item = _item(
        personas,
        body="Gia đình tôi hỏi về cấp sổ đỏ cho đất khai hoang từ năm 1995.",
        answer_body=f"Hồ sơ của bà {leaked} đã đủ; nộp tại bộ phận một cửa.",
    )
    for proposal in item.redactions.filter(text__in=["Bùi Thị Lành", "0387 111 222"]):  # shown by mistake
        services.item_redaction_remove(item=item, redaction_id=proposal.pk, by=personas["moderator"])
    # Published with the name and phone; the partner's delivery is still waiting to be sent.
    services.item_publish(item=item, by=personas["moderator"])
    item.refresh_from_db()
    assert leaked in _public_surfaces(web, item)
    changes = []
    item_public_changed.connect(lambda sender, item, change, **kw: changes.append(change), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.item_correct_privately(
                item=item, answer="Hồ sơ của bà đã đủ; nộp tại bộ phận một cửa.",
                reason="Lộ họ tên và số điện thoại của người dân", by=personas["moderator"],
            )  # fmt: skip
    finally:
        item_public_changed.disconnect(dispatch_uid="t")
    assert changes == ["corrected_privately"]
    public = _public_surfaces(web, item)
    assert "Bùi Thị Lành" not in public and "0387 111 222" not in public
    assert "Lộ họ tên" not in public and "Hồ sơ của bà đã đủ" in public
    assert not _search_finds(web, "Lành", item)
    item.refresh_from_db()
    assert all(leaked not in r.answer for r in item.revisions.all())
    event = item.events.get(type=PublicationEventType.CORRECTED_PRIVATELY)
    assert event.actor == personas["moderator"] and event.payload["reason"].startswith("Lộ họ tên")
    # Partners: the delivery still waiting carries no leaked text any more, and a corrected item goes out.
    payloads = [json.dumps(d.payload, ensure_ascii=False) for d in Delivery.objects.order_by("id")]
    assert all(leaked not in p for p in payloads)
    last = Delivery.objects.order_by("-id").first()
    assert last.payload["type"] == "item.corrected" and "Hồ sơ của bà đã đủ" in last.payload["item"]["answer"]
    assert "Lộ họ tên" not in payloads[-1]
    # The staff history keeps who and why.
    web.force_login(personas["moderator"])
    review = web.get(reverse("publication:review-item", args=[item.pk])).content.decode()
    assert "Lộ họ tên và số điện thoại" in review


def test_a_reviewer_hides_a_phrase_in_a_published_item_through_the_page(personas, web):
    item = _item(personas, body="Tôi hỏi về trợ cấp cho mẹ tôi, Mẹ Sáu, đã 90 tuổi ở xã Tân Phú.")
    services.item_publish(item=item, by=personas["moderator"])
    web.force_login(personas["moderator"])
    url = reverse("publication:review-action", args=[item.pk, "hide-published"])
    web.post(url, {"phrase": "Mẹ Sáu", "kind": "name", "reason": "Tên người thân"})
    item.refresh_from_db()
    assert "Mẹ Sáu" not in item.question and item.status == Status.PUBLISHED
    assert Redaction.objects.filter(item=item, text="Mẹ Sáu", is_active=True).exists()
    assert "Tên người thân" not in web.get(reverse("publication:item", args=[item.slug])).content.decode()


def test_every_change_of_what_the_public_sees_goes_through_one_function(personas):
    changes: list[str] = []
    item_public_changed.connect(lambda sender, item, change, **kw: changes.append(change), weak=False, dispatch_uid="t")
    try:
        item = _item(personas, body="Xin hỏi về lịch tiêm chủng mở rộng cho trẻ dưới 1 tuổi.")
        services.item_publish(item=item, by=personas["moderator"])
        item.refresh_from_db()
        services.item_correct(
            item=item, title=item.source_title, question=item.source_question, answer="Đã sửa.", reason="Sửa",
            by=personas["moderator"],
        )  # fmt: skip
        services.item_correct_privately(item=item, answer="Đã sửa lại.", reason="Riêng tư", by=personas["moderator"])
        services.item_unpublish(item=item, reason="Gỡ", by=personas["moderator"])
    finally:
        item_public_changed.disconnect(dispatch_uid="t")
    assert changes == ["published", "corrected", "corrected_privately", "unpublished"]


def test_a_reviewer_rejects_a_proposal_and_can_accept_it_again(personas, web):
    item = _item(personas, body="Hàng xóm là bà Lê Thị Hoa đổ rác ra mương, số điện thoại bà 0912 111 333.")
    proposed = {r.text: r for r in item.redactions.all()}
    assert {"Lê Thị Hoa", "0912 111 333"} <= set(proposed)
    web.force_login(personas["moderator"])
    name = proposed["Lê Thị Hoa"]
    web.post(reverse("publication:review-action", args=[item.pk, "unredact"]), {"redaction": name.pk})
    item.refresh_from_db()
    assert "Lê Thị Hoa" in item.question
    page = web.get(reverse("publication:review-item", args=[item.pk])).content.decode()
    assert "Hide again" in page
    web.post(reverse("publication:review-action", args=[item.pk, "reredact"]), {"redaction": name.pk})
    item.refresh_from_db()
    assert "Lê Thị Hoa" not in item.question and "0912 111 333" not in item.question
    assert item.events.filter(type=PublicationEventType.REDACTION_ADDED).exists()


def test_a_privacy_correction_rewrites_social_posts_not_yet_sent(personas, monkeypatch):
    from caunoi.social.models import SocialPost
    from caunoi.social.tasks import send_social_post

    from tests.support.social import make_channel

    monkeypatch.setattr(send_social_post, "delay", lambda post_id: None)  # no platform is called here
    make_channel("facebook")
    case = answer(
        submitted_case(title="Bà Đỗ Thị Hạnh hỏi về trợ cấp", body="Xin hỏi về trợ cấp cho người cao tuổi."), personas
    )
    item = PublishedItem.objects.get(case=case)
    services.item_redaction_remove(
        item=item, redaction_id=item.redactions.get(text="Đỗ Thị Hạnh").pk, by=personas["moderator"]
    )  # the reviewer wrongly showed the name, and published
    services.item_publish(item=item, by=personas["moderator"])
    post = SocialPost.objects.get(object_id=item.pk)
    assert "Đỗ Thị Hạnh" in post.message
    services.item_correct_privately(
        item=item, hide=[("name", "Đỗ Thị Hạnh")], reason="Lộ họ tên", by=personas["moderator"]
    )
    post.refresh_from_db()
    assert "Đỗ Thị Hạnh" not in post.message and "Đỗ Thị Hạnh" not in post.title
    assert post.status == SocialPost.Status.PENDING


def test_the_name_a_citizen_chose_to_show_is_not_proposed_for_hiding(personas):
    case = answer(submitted_case(show_name=True), personas)
    item = PublishedItem.objects.get(case=case)
    assert item.asker_display == "Nguyễn Văn An"
    assert not item.redactions.filter(kind="name").exists()
    assert "Nguyễn Văn An" in item.question and "0912 345 678" not in item.question


def test_a_correction_that_takes_out_personal_data_leaves_no_public_note(personas, web):
    """The original finding: correcting an exposed ID printed "Corrections: removed the ID number" publicly."""
    item = _item(personas, body=f"Số CCCD {SPACED_ID}, tôi hỏi về cấp đổi thẻ căn cước.")
    exposed = item.redactions.get(text=SPACED_ID)
    services.item_redaction_remove(item=item, redaction_id=exposed.pk, by=personas["moderator"])  # a mistake
    services.item_publish(item=item, by=personas["moderator"])
    item.refresh_from_db()
    assert SPACED_ID in _public_surfaces(web, item)
    # The moderator corrects the ordinary way, saying why in words that would tell readers what leaked.
    result = services.item_correct(
        item=item, title=item.source_title, question="Tôi hỏi về cấp đổi thẻ căn cước.", answer=item.source_answer,
        reason="Xóa số CCCD bị lộ", by=personas["moderator"],
    )  # fmt: skip
    assert result is None  # no public revision
    public = _public_surfaces(web, item)
    assert SPACED_ID not in public and "Xóa số CCCD" not in public and "CCCD bị lộ" not in public
    assert all(SPACED_ID not in r.question for r in item.revisions.all())
    assert item.events.filter(type=PublicationEventType.CORRECTED_PRIVATELY).exists()


def test_personal_data_added_by_a_correction_is_hidden_too(personas, web):
    item = _item(personas, body="Tôi hỏi về cấp đổi thẻ căn cước khi chuyển nơi cư trú.")
    services.item_publish(item=item, by=personas["moderator"])
    item.refresh_from_db()
    services.item_correct(
        item=item, title=item.source_title, question=item.source_question,
        answer="Bà liên hệ cán bộ Lê Thị Thu, số 0912 777 888, tại bộ phận một cửa.", reason="Bổ sung nơi liên hệ",
        by=personas["moderator"],
    )  # fmt: skip
    public = _public_surfaces(web, item)
    assert "Lê Thị Thu" not in public and "0912 777 888" not in public
    assert "Bổ sung nơi liên hệ" in public  # an ordinary correction keeps its public note


def test_a_public_correction_note_never_carries_personal_data(personas, web):
    item = _item(personas, body="Xin hỏi về lịch tiêm chủng cho trẻ dưới 1 tuổi.")
    services.item_publish(item=item, by=personas["moderator"])
    item.refresh_from_db()
    services.item_correct(
        item=item, title=item.source_title, question=item.source_question, answer="Lịch tiêm đã cập nhật.",
        reason="Cập nhật theo góp ý của ông Trần Văn Hùng (0912 555 666)", by=personas["moderator"],
    )  # fmt: skip
    page = web.get(reverse("publication:item", args=[item.slug])).content.decode()
    assert "Cập nhật theo góp ý của ông" in page
    assert "Trần Văn Hùng" not in page and "0912 555 666" not in page
    # The staff history keeps the reason as written.
    assert item.events.get(type=PublicationEventType.CORRECTED).payload["reason"].endswith("(0912 555 666)")


def test_hiding_words_that_are_not_in_a_published_item_is_refused_beside_the_field(personas, web):
    item = _item(personas, body="Xin hỏi về lịch tiêm chủng cho trẻ dưới 1 tuổi.")
    services.item_publish(item=item, by=personas["moderator"])
    web.force_login(personas["moderator"])
    url = reverse("publication:review-action", args=[item.pk, "hide-published"])
    response = web.post(url, {"phrase": "Phạm Thị Không Có", "kind": "name", "reason": "Lộ tên"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "do not appear" in page and 'value="Phạm Thị Không Có"' in page and 'value="Lộ tên"' in page
    assert not item.events.filter(type=PublicationEventType.CORRECTED_PRIVATELY).exists()


def test_a_refused_correction_keeps_the_texts_typed(personas, web):
    item = _item(personas, body="Xin hỏi về lịch tiêm chủng cho trẻ dưới 1 tuổi.")
    web.force_login(personas["moderator"])
    typed = {"title": "Tiêu đề gõ lại", "question": "Câu hỏi gõ lại"}
    services.item_publish(item=item, by=personas["moderator"])
    response = web.post(
        reverse("publication:review-action", args=[item.pk, "correct"]),
        {**typed, "answer": "Trả lời mới", "reason": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Tiêu đề gõ lại"' in page and "Trả lời mới</textarea>" in page
