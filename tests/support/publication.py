"""Answered cases for the publication tests, made through the real intake and handling services."""

from __future__ import annotations

from caunoi.accounts.models import User
from caunoi.agencies.models import Area, Category
from caunoi.cases.models import Case
from caunoi.cases.services import (
    Contact,
    case_answer_draft,
    case_approve,
    case_claim,
    case_submit,
    case_submit_for_review,
)

NAME = "Nguyễn Văn An"
ADDRESS = "Số 12 ngõ 34 phố Hoàng Hoa Thám, phường Ngọc Hà, Hà Nội"


def submitted_case(
    *,
    title: str = "Hỏi về thủ tục cấp sổ đỏ lần đầu",
    body: str = "Tôi là Nguyễn Văn An, ở số 12 ngõ 34 phố Hoàng Hoa Thám, SĐT 0912 345 678. "
    "Gia đình tôi sử dụng đất ổn định từ năm 1990, xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất.",
    consent: bool = True,
    show_name: bool = False,
    kind: str = "question",
    category: str = "dat-dai",
    area: str = "tinh-01",
) -> Case:
    return case_submit(
        kind=kind,
        title=title,
        body=body,
        category=Category.objects.get(slug=category),
        area=Area.objects.get(code=area),
        channel="web",
        contact=Contact(name=NAME, email="an.nguyen@example.org", phone="0912345678", address=ADDRESS),
        consent_to_publish=consent,
        show_name_publicly=show_name,
    ).case


def answer(case: Case, personas: dict[str, User], body: str = "") -> Case:
    """Claims, drafts, submits and approves the case (official of agency A, then the leader)."""
    body = body or (
        "Trả lời ông Nguyễn Văn An: theo Luật Đất đai 2024, hồ sơ cấp giấy chứng nhận lần đầu gồm đơn đề nghị "
        "và giấy tờ về quyền sử dụng đất, nộp tại bộ phận một cửa cấp xã."
    )
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body=body)
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=1)
    case.refresh_from_db()
    return case


def answered_case(personas: dict[str, User], **kwargs: object) -> Case:
    return answer(submitted_case(**kwargs), personas)  # type: ignore[arg-type]


def published_item(personas: dict[str, User]):
    """An answered case's item, published by the moderator."""
    from caunoi.publication import services as publication
    from caunoi.publication.models import PublishedItem

    item = PublishedItem.objects.get(case=answered_case(personas))
    publication.item_publish(item=item, by=personas["moderator"])
    item.refresh_from_db()
    return item
