"""An agency's public FAQ: per category, the answers most asked again (duplicates linked) and most read."""

from __future__ import annotations

import datetime as dt

import pytest
from caunoi.analytics.models import ItemViewDay
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.publication.models import PublishedItem, Status
from django.urls import reverse

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


def item(slug: str, title: str, agency, category, case=None) -> PublishedItem:
    return PublishedItem.objects.create(
        slug=slug,
        kind="question",
        agency=agency,
        category=category,
        case=case,
        title=title,
        question=title,
        answer="Trả lời.",
        status=Status.PUBLISHED,
        published_at=clock.now() - dt.timedelta(days=len(slug)),
    )


def test_the_faq_puts_the_answers_asked_again_and_read_most_first(web, reference_data):
    agencies, categories = reference_data["agencies"], reference_data["categories"]
    asked, _ = submit_case(title="Cấp sổ đỏ lần đầu")
    again, _ = submit_case(title="Làm sổ đỏ lần đầu")
    Case.objects.filter(pk=again.pk).update(duplicate_of=asked)
    land = categories["dat-dai"]
    newest = item("a", "Câu hỏi mới nhất về đất", agencies["SO-NNMT-HN"], land)
    read = item("bb", "Câu hỏi được đọc nhiều", agencies["SO-NNMT-HN"], land)
    linked = item("ccc", "Cấp sổ đỏ lần đầu", agencies["SO-NNMT-HN"], land, case=asked)
    item("dddd", "Câu hỏi của bộ khác", agencies["BO-GDDT"], categories["giao-duc"])
    ItemViewDay.objects.create(item=read, day=clock.local_date(), count=40)

    page = web.get(reverse("understanding:faq", args=["SO-NNMT-HN"])).content.decode()
    order = [page.index(i.title) for i in (linked, read, newest)]
    assert order == sorted(order)
    assert "Câu hỏi của bộ khác" not in page
    assert web.get(reverse("understanding:faq", args=["KHONG-CO"])).status_code == 404
    assert reverse("understanding:faq", args=["SO-NNMT-HN"]) in web.get("/co-quan/SO-NNMT-HN/").content.decode()
