"""A search that finds nothing says what to try next: the same words without the filters, other or fewer words
(with or without diacritics), and a link to ask the question."""

import pytest

pytestmark = pytest.mark.django_db


def test_no_results_with_filters_offers_to_drop_them_and_to_ask(web, reference_data):
    html = web.get("/hoi-dap/", {"q": "xyzzy không có", "kind": "question", "category": "dat-dai"}).content.decode()
    assert "data-no-results" in html
    assert 'href="/hoi-dap/?q=xyz' in html  # the words again, without the filters
    assert 'href="/submit/?kind=question"' in html


def test_no_results_without_filters_offers_other_words_and_to_ask(web, reference_data):
    html = web.get("/hoi-dap/", {"q": "xyzzy"}).content.decode()
    assert "data-no-results" in html and "data-drop-filters" not in html
    assert 'href="/submit/?kind=question"' in html
