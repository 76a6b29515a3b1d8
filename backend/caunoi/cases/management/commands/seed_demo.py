"""Demonstration data for `make run`: areas, agencies, categories, one account per role, a few cases."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from caunoi.accounts.models import Role, User
from caunoi.accounts.services import split_full_name
from caunoi.agencies.models import Area, Category, Membership
from caunoi.agencies.seed import seed_agencies, seed_areas, seed_categories
from caunoi.cases.models import AnswerTemplate, Case, Channel
from caunoi.cases.services import Contact, case_submit

# username → (role, agency codes, display name)
DEMO_ACCOUNTS = {
    "demo-citizen": (Role.CITIZEN, (), "Nguyễn Thị Lan"),
    "demo-official": (Role.OFFICIAL, ("SO-NNMT-HN",), "Trần Văn Minh"),
    "demo-leader": (Role.LEADER, ("UBND-HN",), "Lê Hoàng Nam"),
    "demo-moderator": (Role.MODERATOR, (), "Phạm Thu Hà"),
    "demo-admin": (Role.ADMIN, (), "Quản trị hệ thống"),
}
DEMO_EMAIL = "demo-citizen@example.org"

DEMO_CASES = (
    ("feedback", "Rác thải tập kết trái phép ở ngõ 15 phố Hàng Bông", "Nhiều ngày nay rác thải sinh hoạt bị đổ ở đầu ngõ, gây ô nhiễm và mùi hôi. Đề nghị cơ quan chức năng xử lý.", "moi-truong", "xa-00070"),
    ("question", "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Gia đình tôi sử dụng đất ổn định từ năm 1990, không có giấy tờ. Xin hỏi hồ sơ cấp sổ đỏ lần đầu gồm những gì?", "dat-dai", "tinh-01"),
    ("petition", "Đề nghị giảm học phí cho học sinh vùng khó khăn", "Kiến nghị Bộ xem xét chính sách miễn giảm học phí cho học sinh các xã đặc biệt khó khăn.", "giao-duc", None),
)  # fmt: skip


DEMO_TEMPLATE = (
    "Kính gửi Ông/Bà,\n\nHồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm: đơn đăng ký theo mẫu, "
    "giấy tờ về quyền sử dụng đất (nếu có), sơ đồ thửa đất và giấy tờ nhân thân. Hồ sơ nộp tại Bộ phận một cửa "
    "của Ủy ban nhân dân cấp xã nơi có đất.\n\nTrân trọng."
)


class Command(BaseCommand):
    help = "Seeds demonstration data. Idempotent: safe to run on every start."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        areas = seed_areas()
        agencies = seed_agencies()
        seed_categories()
        password = os.environ.get("DEMO_PASSWORD", "demo12345")
        for username, (role, agency_codes, full_name) in DEMO_ACCOUNTS.items():
            given, family = split_full_name(full_name)
            user, _created = User.objects.update_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": given,
                    "last_name": family,
                    "email": f"{username}@example.org",
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            for code in agency_codes:
                Membership.objects.get_or_create(user=user, agency=agencies[code])
        AnswerTemplate.objects.get_or_create(
            agency=agencies["SO-NNMT-HN"],
            title="Hồ sơ cấp giấy chứng nhận quyền sử dụng đất lần đầu",
            defaults={"body": DEMO_TEMPLATE},
        )
        created = 0
        if not Case.objects.filter(contact_email=DEMO_EMAIL).exists():
            citizen = User.objects.get(username="demo-citizen")
            for kind, title, body, category, area in DEMO_CASES:
                case_submit(
                    kind=kind,
                    title=title,
                    body=body,
                    category=Category.objects.get(slug=category),
                    area=Area.objects.get(code=area) if area else None,
                    channel=Channel.WEB,
                    contact=Contact(name="Nguyễn Thị Lan", email=DEMO_EMAIL, phone="0912345678"),
                    consent_to_publish=True,
                    submitter=citizen,
                )
                created += 1
        self.stdout.write(f"seed_demo: {areas} areas added, {len(agencies)} agencies, {created} demo cases added")
