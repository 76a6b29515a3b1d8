"""Making cases for tests through the real intake service."""

from __future__ import annotations

from caunoi.accounts.models import User
from caunoi.agencies.models import Area, Category
from caunoi.cases.models import Case
from caunoi.cases.services import Contact, case_submit


def submit_case(
    *,
    kind: str = "question",
    category: str = "dat-dai",
    area: str | None = "tinh-01",
    title: str = "Hỏi về cấp sổ đỏ lần đầu",
    body: str = "Gia đình tôi sử dụng đất ổn định từ năm 1990, xin hỏi thủ tục cấp giấy chứng nhận.",
    email: str = "nguoi-dan@example.org",
    phone: str = "",
    language: str = "vi",
    submitter: User | None = None,
) -> tuple[Case, str]:
    """A case routed by the shipped rules (dat-dai in Hà Nội → SO-NNMT-HN) and its access token."""
    submitted = case_submit(
        kind=kind,
        title=title,
        body=body,
        category=Category.objects.get(slug=category),
        area=Area.objects.get(code=area) if area else None,
        channel="web",
        contact=Contact(name="Trần Thị Hạnh", email=email, phone=phone),
        language=language,
        submitter=submitter,
    )
    return submitted.case, submitted.access_token
