"""The meaning half's HNSW file (understanding/ann.py): built by a command, memory-mapped by each process,
kept current from the change sequence; lookups through it find what brute force finds (issue #20, scale)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.understanding import ann
from caunoi.understanding import index as index_module
from caunoi.understanding.embedder import embed_one
from caunoi.understanding.index import capped_postings, vector_index, word_candidates
from caunoi.understanding.models import ObjectType
from caunoi.understanding.services import embed_objects
from django.core.management import call_command
from usearch.index import Index

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

QUERY = "Xin hỏi thủ tục làm sổ đỏ lần đầu cho đất của gia đình"


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.SEMANTIC_INDEX_CHECK_SECONDS = 0
    vector_index().reset()
    yield
    vector_index().reset()


@pytest.fixture
def cases(personas):
    made = [
        submit_case(title="Làm sổ đỏ lần đầu cho đất ông bà để lại", body="Đất ở ổn định từ năm 1990 chưa có sổ.")[0],
        submit_case(title="Xin cấp giấy chứng nhận quyền sử dụng đất lần đầu", body="Cần những giấy tờ gì?")[0],
        submit_case(title="Hàng xóm hát karaoke đến nửa đêm", body="Ồn ào không ngủ được, đề nghị xử lý.")[0],
        submit_case(title="Đăng ký khai sinh cho con ở đâu", body="Con tôi mới sinh, cần giấy tờ gì?")[0],
    ]
    embed_objects(object_type=ObjectType.CASE, ids=[c.pk for c in made])
    return made


def lookup(vector):
    found = vector_index().nearest(text=QUERY, vector=vector, k=5)
    return [(n.object_type, n.object_id, round(n.score, 2)) for n in found]


def test_lookups_through_the_index_file_find_what_brute_force_finds(cases, settings):
    vector = embed_one(QUERY)
    exact = lookup(vector)
    assert exact and not vector_index().uses_file
    call_command("build_semantic_index")
    assert ann.index_path().parent == settings.SEMANTIC_INDEX_DIR and ann.index_path().exists()
    vector_index().refresh(force=True)
    assert vector_index().uses_file
    assert vector_index()._matrix.shape[0] == 0  # every vector is in the mapped file, none held here
    assert lookup(vector) == exact


def test_vectors_written_after_the_file_are_held_in_process_until_the_update_takes_them_in(cases):
    call_command("build_semantic_index")
    index = vector_index()
    index.refresh(force=True)
    late, _ = submit_case(title="Thủ tục làm sổ đỏ lần đầu cho gia đình", body="Xin hỏi cần giấy tờ gì?")
    embed_objects(object_type=ObjectType.CASE, ids=[late.pk])
    vector = embed_one(QUERY)
    assert ("case", late.pk) in [(n.object_type, n.object_id) for n in index.nearest(text=QUERY, vector=vector, k=5)]
    assert index._matrix.shape[0] == 1

    Case.objects.filter(pk=cases[0].pk).update(closed_at=clock.now())  # closed: the update removes it
    call_command("build_semantic_index", "--update")
    index.refresh(force=True)
    assert index._matrix.shape[0] == 0  # the new file holds the late case
    stored = Index.restore(str(ann.index_path()), view=True)
    assert int(ann.key_of(0, late.pk)[()]) in stored
    assert int(ann.key_of(0, cases[0].pk)[()]) not in stored
    assert ("case", late.pk) in [(n.object_type, n.object_id) for n in index.nearest(text=QUERY, vector=vector, k=5)]


def test_without_the_file_the_process_holds_every_vector_again(cases):
    call_command("build_semantic_index")
    vector_index().refresh(force=True)
    assert vector_index().uses_file
    ann.index_path().unlink()
    vector_index().refresh(force=True)
    assert not vector_index().uses_file and vector_index()._matrix.shape[0] == len(cases)


def test_the_words_half_reads_capped_postings_not_every_row(monkeypatch):
    monkeypatch.setattr(index_module, "MAX_POSTINGS", 3)
    monkeypatch.setattr(index_module, "WORD_CANDIDATES", 2)
    # Term 0 is in ten rows with growing weights, term 1 only in row 4.
    rows = [*range(10), 4]
    terms = [0] * 10 + [1]
    weights = [0.1 * (i + 1) for i in range(10)] + [0.9]
    words = sp.csr_matrix((weights, (rows, terms)), shape=(12, 2), dtype=np.float32)
    postings = capped_postings(words[:10])
    assert sorted(postings[:, 0].nonzero()[0].tolist()) == [7, 8, 9]  # the heaviest three
    query = sp.csr_matrix(np.array([[0.5, 0.5]], dtype=np.float32))
    found = word_candidates(query, words, postings, 10)
    assert sorted(found.tolist()) == [4, 9]  # row 4 by its rare term, row 9 the heaviest of the common one


def test_a_rewritten_text_is_found_by_its_new_words_without_refitting_the_words(cases, monkeypatch):
    monkeypatch.setattr(index_module, "REFIT_GROWTH", 10.0)  # four texts: one more is growth enough to refit
    call_command("build_semantic_index")
    index = vector_index()
    index.refresh(force=True)
    fitted = index._vectorizer
    karaoke = cases[2]
    Case.objects.filter(pk=karaoke.pk).update(
        title="Thủ tục làm sổ đỏ lần đầu cho gia đình", body="Xin hỏi cần giấy tờ gì?"
    )
    embed_objects(object_type=ObjectType.CASE, ids=[karaoke.pk])
    index.refresh(force=True)
    assert index._vectorizer is fitted  # no refit for one edit
    found = [(n.object_type, n.object_id) for n in index.nearest(text=QUERY, vector=embed_one(QUERY), k=10)]
    assert found.count(("case", karaoke.pk)) == 1  # by its new text, once
    old = index.nearest(text="hàng xóm hát karaoke đến nửa đêm", vector=None, k=10)
    assert ("case", karaoke.pk) not in [(n.object_type, n.object_id) for n in old]
