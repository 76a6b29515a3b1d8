"""Vietnamese search over published items: diacritics, ranking, phrases, exclusion, filters, bad input."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from caunoi.agencies.models import Agency, Category
from caunoi.publication import search
from caunoi.publication.models import SEARCH_BUCKET_BITS, SEARCH_BUCKET_MARK, PublishedItem, Status
from caunoi.publication.services.common import vocabulary_add
from django.utils import timezone

pytestmark = pytest.mark.django_db
URL = "/api/v1/published/"
_n = itertools.count(1)


def published(
    title: str,
    question: str = "",
    answer: str = "Trả lời của cơ quan.",
    *,
    agency="SO-NNMT-HN",
    category="dat-dai",
    kind="question",
    status=Status.PUBLISHED,
    days_ago=1,
    item_id=None,
) -> PublishedItem:
    item = PublishedItem.objects.create(
        id=item_id,
        slug=f"muc-{next(_n)}",
        kind=kind,
        agency=Agency.objects.get(code=agency) if agency else None,
        category=Category.objects.get(slug=category) if category else None,
        title=title,
        question=question or title,
        answer=answer,
        status=status,
        published_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    vocabulary_add(title)
    return item


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [hit["slug"] for hit in response.json()["results"]]


@pytest.fixture
def corpus(reference_data):
    return {
        "exact": published("Thủ tục cấp sổ đỏ khi mua bán đất đai", answer="Hồ sơ đất đai nộp tại xã."),
        "unaccented": published("Hoi ve dat dai cua gia dinh", answer="Tra loi ve dat dai."),
        "other_tones": published("Đặt dài hạn chỗ đỗ xe", answer="Không liên quan đến nhà ở."),
        "inheritance": published("Sổ đỏ thừa kế đất đai", answer="Thừa kế theo pháp luật."),
        "school": published(
            "Học phí năm học mới",
            answer="Miễn học phí cho học sinh.",
            category="giao-duc",
            agency="BO-GDDT",
            kind="feedback",
            days_ago=30,
        ),
        "hidden": published("Đất đai chưa duyệt", status=Status.PENDING_REVIEW),
    }


def test_a_query_without_diacritics_finds_accented_text(api, corpus):
    found = slugs(api.get(URL, {"q": "dat dai"}))
    assert corpus["exact"].slug in found and corpus["inheritance"].slug in found
    assert corpus["hidden"].slug not in found  # only published items
    assert corpus["school"].slug not in found


def test_exact_diacritics_rank_first(api, corpus):
    found = slugs(api.get(URL, {"q": "đất đai"}))
    exact = {corpus["exact"].slug, corpus["inheritance"].slug}
    assert set(found[:2]) == exact
    assert corpus["unaccented"].slug in found[2:]  # still found, lower
    # "đặt dài" folds to the same letters: found only by the unaccented form, so ranked last.
    assert found[-1] == corpus["other_tones"].slug


def test_phrase_search(api, corpus):
    found = slugs(api.get(URL, {"q": '"sổ đỏ thừa kế"'}))
    assert found == [corpus["inheritance"].slug]
    assert slugs(api.get(URL, {"q": '"thừa kế sổ đỏ"'})) == []


def test_exclusion(api, corpus):
    found = slugs(api.get(URL, {"q": "sổ đỏ -thừa"}))
    assert found == [corpus["exact"].slug]
    assert corpus["inheritance"].slug not in slugs(api.get(URL, {"q": "so do -thua"}))


def test_an_accented_exclusion_keeps_words_that_differ_only_in_diacritics(api, corpus):
    # "thửa kề" (a neighbouring plot) folds to the same letters as "thừa kế" (inheritance): excluding one must
    # not exclude the other.
    neighbour = published("Sổ đỏ của thửa kề bên", answer="Ranh giới thửa đất.")
    found = slugs(api.get(URL, {"q": 'sổ đỏ -"thừa kế"'}))
    assert neighbour.slug in found
    assert corpus["inheritance"].slug not in found


def test_an_accented_phrase_also_finds_it_written_without_diacritics(api, corpus):
    unaccented = published("Hoi ve so do", answer="Tra loi ve so do dat dai.")
    found = slugs(api.get(URL, {"q": '"sổ đỏ"'}))
    assert found[: len(found) - 1] and unaccented.slug == found[-1]  # found, and ranked below exact diacritics
    assert corpus["exact"].slug in found


def test_with_more_matches_than_are_ranked_the_newest_are_ranked(api, reference_data, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 2)
    bucket = 1 << SEARCH_BUCKET_BITS  # ids far apart: the old items lie outside the newest buckets
    # Published dates and table order both put the old items first: only the buckets favour the new ones.
    old = [published("Hỏi về sổ đỏ", item_id=3 * bucket + n, days_ago=0) for n in (1, 2)]
    new = [published("Hỏi về sổ đỏ của gia đình", item_id=40 * bucket + n, days_ago=5) for n in (1, 2)]
    assert sorted(slugs(api.get(URL, {"q": "sổ đỏ"}))) == sorted(item.slug for item in new)
    # Fewer matches among the newest than are ranked: the search widens until it has enough.
    monkeypatch.setattr(search, "CANDIDATES", 3)
    assert len(slugs(api.get(URL, {"q": "sổ đỏ"}))) == 3
    # Matches only among the old items are found too.
    assert sorted(slugs(api.get(URL, {"q": "hoi ve so do -gia"}))) == sorted(item.slug for item in old)
    # The bucket's lexeme in each vector cannot be typed: the parser drops its mark.
    assert slugs(api.get(URL, {"q": f"{SEARCH_BUCKET_MARK}40"})) == []


def test_snippets_highlight_matches_with_or_without_diacritics(api, corpus):
    hit = api.get(URL, {"q": "dat dai"}).json()["results"][0]
    assert "<mark>" in hit["snippet"] and hit["rank"] > 0


def test_filters(api, corpus):
    assert slugs(api.get(URL, {"kind": "feedback"})) == [corpus["school"].slug]
    assert slugs(api.get(URL, {"category": "giao-duc"})) == [corpus["school"].slug]
    assert corpus["school"].slug not in slugs(api.get(URL, {"agency": "UBND-HN"}))  # Hà Nội and below
    assert corpus["exact"].slug in slugs(api.get(URL, {"agency": "UBND-HN"}))
    old = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert slugs(api.get(URL, {"to": old})) == [corpus["school"].slug]
    assert corpus["school"].slug not in slugs(api.get(URL, {"from": old}))


def test_empty_query_lists_the_latest(api, corpus):
    body = api.get(URL).json()
    assert body["count"] == 5 and body["results"][0]["slug"] != corpus["school"].slug


def test_did_you_mean_when_nothing_is_found(api, corpus):
    body = api.get(URL, {"q": "thừa kết"}).json()
    assert body["count"] == 0 and body["suggestion"] == "thừa kế"
    assert api.get(URL, {"q": "thua ke"}).json()["suggestion"] == ""  # found: no suggestion


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "đ" * 201}, "q"),
        ({"agency": "NO-SUCH"}, "agency"),
        ({"category": "nope"}, "category"),
        ({"kind": "complaint"}, "kind"),
        ({"from": "31/12/2026"}, "from"),
        ({"from": "2026-12-31", "to": "2026-01-01"}, "to"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "100000"}, "page"),
    ],
)
def test_bad_input_is_a_400_with_a_field_message(api, corpus, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.json()[field]


@pytest.mark.parametrize("q", ["", "   ", "!!!", "...,;", "-", '"', "&|!()", "or", "-đất", "a" * 200, "của và các"])
def test_odd_queries_never_fail(api, corpus, q):
    response = api.get(URL, {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_punctuation_only_finds_nothing(api, corpus):
    assert api.get(URL, {"q": "!!!"}).json()["count"] == 0


def test_a_page_beyond_the_end_is_empty(api, corpus):
    body = api.get(URL, {"q": "dat dai", "page": 5}).json()
    assert body["results"] == [] and body["count"] == 4 and body["next"] is None


def test_pagination_links(api, reference_data):
    for i in range(25):
        published(f"Câu hỏi về đất số {i}")
    first = api.get(URL, {"q": "đất"}).json()
    assert first["count"] == 25 and len(first["results"]) == 20 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None and second["previous"]


def test_the_detail_endpoint(api, corpus):
    body = api.get(f"{URL}{corpus['exact'].slug}/").json()
    assert body["title"] == corpus["exact"].title and body["agency"]["code"] == "SO-NNMT-HN"
    assert "source_question" not in body and body["origin"] is None
    assert api.get(f"{URL}khong-co/").status_code == 404


def test_imported_items_are_searchable_and_marked(api, reference_data):
    PublishedItem.objects.create(
        slug="nhap-1",
        kind="question",
        title="Cấp đổi giấy phép lái xe",
        question="Hỏi",
        answer="Đáp",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        origin_portal="https://dichvucong.example.gov.vn",
        origin_id="42",
        origin_url="https://dichvucong.example.gov.vn/hoi-dap/42",
        origin_agency_name="Sở GTVT",
    )
    hit = api.get(URL, {"q": "giay phep lai xe"}).json()["results"][0]
    assert hit["origin"]["portal"] == "https://dichvucong.example.gov.vn"
    assert hit["agency"]["name"] == "Sở GTVT"


def test_similar_questions(api, corpus):
    found = [r["slug"] for r in api.get(f"{URL}similar/", {"text": "thu tuc cap so do"}).json()["results"]]
    assert found[0] == corpus["exact"].slug
    assert corpus["hidden"].slug not in found
    assert api.get(f"{URL}similar/", {"text": "ab"}).json()["results"] == []
    assert api.get(f"{URL}similar/", {"text": "x" * 501}).status_code == 400
    assert api.get(f"{URL}similar/", {"text": "!!! ??? ..."}).status_code == 200


def test_the_search_page(web, corpus):
    page = web.get("/hoi-dap/", {"q": "dat dai"})
    assert page.status_code == 200
    assert corpus["exact"].title.split()[0] in page.content.decode()
    bad = web.get("/hoi-dap/", {"agency": "NO-SUCH"})
    assert bad.status_code == 400 and b"error-summary" in bad.content
    assert web.get("/hoi-dap/", {"q": "thừa kết"}).content.decode().count("thừa kế") >= 1


def test_the_openapi_schema_documents_the_endpoints(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/published/", "/api/v1/published/{slug}/", "/api/v1/published/similar/"):
        assert path in schema


def test_the_home_page_shows_latest_answers_by_agency_and_topic(web, corpus):
    page = web.get("/").content.decode()
    assert corpus["exact"].title in page and corpus["school"].title in page
    assert corpus["hidden"].title not in page
    assert "/co-quan/SO-NNMT-HN/" in page and "?category=giao-duc" in page
    assert "/submit/" in page  # the citizen's ways in are still there


def test_the_agency_page_includes_agencies_below(web, corpus):
    page = web.get("/co-quan/UBND-HN/")
    assert page.status_code == 200
    html = page.content.decode()
    assert corpus["exact"].title in html and corpus["school"].title not in html
    assert web.get("/co-quan/KHONG-CO/").status_code == 404
