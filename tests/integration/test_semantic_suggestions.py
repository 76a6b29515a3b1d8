"""Similar open cases and answers (meaning + words), with reasons and a one-click link; the citizen's
similar-question lookup; hybrid search; embeddings kept current (issue #20)."""

from __future__ import annotations

import pytest
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.publication.models import PublishedItem, Status
from caunoi.understanding.index import vector_index
from caunoi.understanding.models import Embedding, ObjectType
from caunoi.understanding.services import embed_objects, missing_count
from django.core.management import call_command
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


def publish(title: str, answer: str, agency, *, question: str = "") -> PublishedItem:
    return PublishedItem.objects.create(
        slug=f"item-{PublishedItem.objects.count() + 1}-{abs(hash(title)) % 10_000}",
        kind="question",
        agency=agency,
        title=title,
        question=question or title,
        answer=answer,
        status=Status.PUBLISHED,
        published_at=clock.now(),
    )


def embed_everything() -> None:
    embed_objects(object_type=ObjectType.CASE, ids=Case.objects.values_list("id", flat=True))
    embed_objects(object_type=ObjectType.ITEM, ids=PublishedItem.objects.values_list("id", flat=True))


@pytest.fixture
def land_cases(personas):
    first, _ = submit_case(
        title="Làm sổ đỏ lần đầu cho đất ông bà để lại", body="Đất ở ổn định từ năm 1990 chưa có sổ."
    )
    second, _ = submit_case(title="Xin cấp giấy chứng nhận quyền sử dụng đất lần đầu", body="Cần những giấy tờ gì?")
    other, _ = submit_case(title="Hàng xóm hát karaoke đến nửa đêm", body="Ồn ào không ngủ được, đề nghị xử lý.")
    return first, second, other


def test_the_case_page_offers_a_similar_open_case_with_its_reasons_and_links_it_in_one_click(personas, land_cases):
    first, second, other = land_cases
    embed_everything()
    web = personas["official_a"]
    from django.test import Client

    client = Client()
    client.force_login(web)
    page = client.get(reverse("cases:staff-case", args=[second.pk])).content.decode()
    assert 'id="similar-heading"' in page
    section = page.split('id="similar-heading"')[1].split("</section>")[0]
    assert first.tracking_code in section
    assert other.tracking_code not in section  # karaoke is not about land
    assert "<mark>" in section  # the shared words are shown
    assert f'name="primary" value="{first.tracking_code}"' in section

    response = client.post(
        reverse("cases:staff-case-action", args=[second.pk, "link_duplicate"]), {"primary": first.tracking_code}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.duplicate_of_id == first.pk


def test_the_suggestions_api_explains_each_candidate_and_is_staff_only_within_their_agencies(personas, land_cases):
    first, second, _other = land_cases
    embed_everything()
    url = reverse("api-case-suggestions", args=[second.pk])
    body = api_as(personas["official_a"]).get(url).json()
    tracking = [s.get("tracking_code") for s in body["similar"]]
    assert first.tracking_code in tracking
    found = next(s for s in body["similar"] if s.get("tracking_code") == first.tracking_code)
    assert found["reasons"]["same_agency"] is True
    assert found["reasons"]["shared_words"] or found["reasons"]["close_in_meaning"]
    # Outside the official's agencies, and for citizens or anonymous callers: as if the case did not exist.
    assert api_as(personas["official_b"]).get(url).status_code == 404
    assert api_as(personas["citizen"]).get(url).status_code == 404
    assert api_as(personas["moderator"]).get(url).status_code == 404
    assert api_as(personas["admin"]).get(url).status_code == 200
    assert api_as(personas["leader"]).get(url).status_code == 200
    assert (
        reverse("api-case-suggestions", args=[second.pk]) and api_as(personas["official_a"]).get(url).status_code == 200
    )
    from rest_framework.test import APIClient

    assert APIClient().get(url).status_code in (401, 403)


def test_the_citizen_lookup_finds_a_synonym_and_never_shows_open_cases(personas, agencies, land_cases):
    item = publish(LAND_FIRST, "Hồ sơ gồm đơn đề nghị và giấy tờ về đất.", agencies["SO-NNMT-HN"])
    publish("Giá vé xe buýt cho học sinh", "Học sinh được giảm 50%.", agencies["UBND-HN"])
    embed_everything()
    response = api_as(personas["citizen"]).get(
        reverse("published-similar"), {"text": "Xin hỏi làm sổ đỏ lần đầu cần giấy tờ gì"}
    )
    results = response.json()["results"]
    assert results[0]["slug"] == item.slug
    assert all("tracking_code" not in r for r in results)
    assert all(r["url"].startswith("/hoi-dap/") for r in results)


def test_hybrid_search_finds_paraphrases_and_keeps_the_exact_phrase_first(personas, agencies):
    exact = publish("Sổ đỏ bị mất thì làm lại ở đâu", "Nộp đơn tại văn phòng đăng ký đất đai.", agencies["SO-NNMT-HN"])
    synonym = publish(
        "Cấp lại giấy chứng nhận quyền sử dụng đất bị thất lạc",
        "Đăng tin mất trên báo, nộp hồ sơ.",
        agencies["SO-NNMT-HN"],
    )
    publish("Lịch tiêm phòng dại cho chó", "Tiêm hằng năm.", agencies["UBND-HN"])
    embed_everything()
    from caunoi.publication.search import SearchFilters, published_search

    found = [i.pk for i in published_search(q="sổ đỏ bị mất", filters=SearchFilters()).items]
    assert found[0] == exact.pk  # holds the words as typed
    assert synonym.pk in found  # no shared word with the query: found by meaning
    # Typed without diacritics the lexical path still finds it.
    assert published_search(q="so do bi mat", filters=SearchFilters()).items[0].pk == exact.pk


def test_build_embeddings_embeds_what_is_missing_and_resumes(personas, land_cases, capsys):
    assert missing_count(ObjectType.CASE) == 3
    embed_objects(object_type=ObjectType.CASE, ids=[land_cases[0].pk])  # as if interrupted after one
    call_command("build_embeddings", "--quiet-progress", "--batch", "1")
    assert missing_count(ObjectType.CASE) == 0
    assert "2 texts embedded" in capsys.readouterr().out
    assert Embedding.objects.filter(object_type="case").count() == 3


def test_a_new_case_is_embedded_after_commit(personas, django_capture_on_commit_callbacks, monkeypatch):
    from caunoi.understanding import tasks

    queued = []
    monkeypatch.setattr(tasks.embed_object, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case, _ = submit_case()
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert ("case", case.pk) in queued
    tasks.embed_object(*queued[0])  # what the worker does
    assert Embedding.objects.filter(object_type="case", object_id=case.pk).exists()


def test_another_process_sees_new_vectors_through_the_change_sequence(personas, land_cases):
    first, second, _other = land_cases
    embed_objects(object_type=ObjectType.CASE, ids=[first.pk])
    index = vector_index()
    index.refresh(force=True)
    assert len(index) == 1
    embed_objects(object_type=ObjectType.CASE, ids=[second.pk, first.pk])  # a new one and a rewritten one
    index.refresh(force=True)
    assert len(index) == 2


def test_the_intake_api_returns_similar_published_answers_when_asked(personas, agencies, api):
    item = publish(LAND_FIRST, "Hồ sơ gồm đơn đề nghị và giấy tờ về đất.", agencies["SO-NNMT-HN"])
    embed_everything()
    payload = {
        "kind": "question",
        "title": "Làm sổ đỏ lần đầu cần giấy tờ gì",
        "body": "Xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu.",
        "category": "dat-dai",
        "area": "tinh-01",
        "name": "Trần Thị Hạnh",
        "email": "hanh@example.org",
    }
    assert api.post(reverse("api-case-submit") + "?similar=x", payload, format="json").status_code == 400
    assert api.post(reverse("api-case-submit") + "?similar=99", payload, format="json").json()["similar"]
    assert Case.objects.count() == 0  # refused before anything is stored
    body = api.post(reverse("api-case-submit") + "?similar=3", payload, format="json").json()
    assert body["similar"][0]["url"].endswith(f"/hoi-dap/{item.slug}/")
    assert "similar" not in api.post(reverse("api-case-submit"), payload, format="json").json()


def test_while_drafting_the_official_sees_relevant_published_answers_and_starts_from_one(personas, agencies):
    from caunoi.cases.services import case_claim
    from django.test import Client

    item = publish(LAND_FIRST, "Hồ sơ gồm đơn đề nghị cấp giấy chứng nhận và giấy tờ về đất.", agencies["SO-NNMT-HN"])
    publish("Lịch tiêm phòng dại cho chó", "Tiêm hằng năm.", agencies["UBND-HN"])
    case, _ = submit_case(title="Xin hỏi cấp sổ đỏ lần đầu", body="Cấp giấy chứng nhận quyền sử dụng đất lần đầu?")
    case_claim(case=case, by=personas["official_a"])
    embed_everything()
    client = Client()
    client.force_login(personas["official_a"])
    page = client.get(reverse("cases:staff-case", args=[case.pk])).content.decode()
    reuse = page.split('class="reusable-answers"')[1].split("Viết dự thảo")[0]
    assert item.title in reuse and "tiêm phòng" not in reuse
    client.post(reverse("cases:staff-case-action", args=[case.pk, "draft"]), {"body": item.answer})
    assert case.answer_versions.get().body == item.answer
