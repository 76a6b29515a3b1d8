"""A suggested published answer links to the public FAQ of the agency that gave it, where the answers asked
again and again are gathered: on the citizen's submit form (the similar-question API) and on the staff case
page beside the suggestion (issue #20, answer reuse)."""

from __future__ import annotations

import pytest
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.publication.models import PublishedItem, Status
from caunoi.understanding.index import vector_index
from caunoi.understanding.models import ObjectType
from caunoi.understanding.services import embed_objects
from django.test import Client
from django.urls import reverse

from tests.conftest import api_as
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

LAND_FIRST = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm những gì?"


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.SEMANTIC_INDEX_CHECK_SECONDS = 0
    vector_index().reset()
    yield
    vector_index().reset()


@pytest.fixture
def answered(agencies):
    item = PublishedItem.objects.create(
        slug="so-do-lan-dau",
        kind="question",
        agency=agencies["SO-NNMT-HN"],
        title=LAND_FIRST,
        question=LAND_FIRST,
        answer="Hồ sơ gồm đơn đề nghị và giấy tờ về đất.",
        status=Status.PUBLISHED,
        published_at=clock.now(),
    )
    embed_objects(object_type=ObjectType.ITEM, ids=[item.pk])
    return item


def test_the_citizen_lookup_links_each_answer_to_its_agencys_faq(personas, answered):
    results = (
        api_as(personas["citizen"])
        .get(reverse("published-similar"), {"text": "Xin hỏi làm sổ đỏ lần đầu cần giấy tờ gì"})
        .json()["results"]
    )
    assert results[0]["slug"] == answered.slug
    faq_url = reverse("understanding:faq", args=["SO-NNMT-HN"])
    assert results[0]["faq_url"] == faq_url
    faq_page = Client().get(faq_url)
    assert faq_page.status_code == 200 and LAND_FIRST in faq_page.content.decode()


def test_an_answer_without_an_agency_here_has_no_faq_link(personas, answered):
    PublishedItem.objects.filter(pk=answered.pk).update(agency=None, origin_agency_name="Sở cũ")
    results = (
        api_as(personas["citizen"])
        .get(reverse("published-similar"), {"text": "Xin hỏi làm sổ đỏ lần đầu cần giấy tờ gì"})
        .json()["results"]
    )
    assert results and results[0]["faq_url"] is None


def test_the_staff_case_page_links_the_faq_beside_a_suggested_answer(personas, answered):
    case, _ = submit_case(title="Làm sổ đỏ lần đầu cho đất ông bà để lại", body="Cần những giấy tờ gì?")
    embed_objects(object_type=ObjectType.CASE, ids=[case.pk])
    assert Case.objects.filter(pk=case.pk, closed_at__isnull=True).exists()
    client = Client()
    client.force_login(personas["official_a"])
    page = client.get(reverse("cases:staff-case", args=[case.pk])).content.decode()
    section = page.split('id="similar-heading"')[1].split("</section>")[0]
    assert reverse("publication:item", args=[answered.slug]) in section
    assert f'href="{reverse("understanding:faq", args=["SO-NNMT-HN"])}"' in section
