"""The meaning half's HNSW file (understanding/ann.py): built by a command, memory-mapped by each process,
kept current from the change sequence; lookups through it find what brute force finds (issue #20, scale)."""

from __future__ import annotations

import numpy as np
import pytest
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.understanding import ann, words
from caunoi.understanding import index as index_module
from caunoi.understanding.embedder import embed_one
from caunoi.understanding.index import vector_index
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
    return [(n.object_type, n.object_id) for n in found], [n.score for n in found]


def test_lookups_through_the_index_file_find_what_brute_force_finds(cases, settings):
    vector = embed_one(QUERY)
    exact = lookup(vector)
    assert exact and not vector_index().uses_file
    call_command("build_semantic_index")
    assert ann.index_path().parent == settings.SEMANTIC_INDEX_DIR and ann.index_path().exists()
    vector_index().refresh(force=True)
    assert vector_index().uses_file
    assert vector_index()._matrix.shape[0] == 0  # every vector is in the mapped file, none held here
    found, scores = lookup(vector)
    assert found == exact[0]
    assert scores == pytest.approx(exact[1], abs=0.01)  # the file's vectors are int8: cosines within ≈ 0.005


def words_lookup(text=QUERY):
    return [
        (n.object_type, n.object_id, round(n.words, 4)) for n in vector_index().nearest(text=text, vector=None, k=5)
    ]


def test_the_words_half_is_read_from_mapped_files_and_scores_as_the_in_memory_one(cases):
    in_memory = words_lookup()
    unaccented = words_lookup("xin hoi lam so do lan dau")
    assert in_memory and unaccented and not vector_index().uses_file
    call_command("build_semantic_index")
    index = vector_index()
    index.refresh(force=True)
    assert index.uses_file and index.words_file is not None
    assert len(index) == 0  # no row held in this process: its words and vector are in the mapped files
    assert words_lookup() == in_memory
    assert words_lookup("xin hoi lam so do lan dau") == unaccented


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


def test_the_words_half_reads_capped_postings_not_every_row(monkeypatch, tmp_path):
    monkeypatch.setattr(words, "MAX_POSTINGS", 3)
    monkeypatch.setattr(words, "WORD_CANDIDATES", 2)
    # "khaisinh" is in ten texts, weighing more in shorter ones (rows 9, 8, 7 the heaviest); "sodo" only in 4.
    texts = [" ".join(["khaisinh", *(f"w{i}x{j}" for j in range(12 - i))]) for i in range(10)]
    texts[4] += " sodo"
    directory = words.write_words(tmp_path, ann.key_of(1, np.arange(1, 11)), texts)
    mapped = words.open_words(directory, None)
    column = int(words.counts(["khaisinh"]).indices[0])
    start, end = mapped.post_indptr[column], mapped.post_indptr[column + 1]
    assert mapped.post_rows[start:end].tolist() == [9, 8, 7]  # the heaviest three, heaviest first
    found, _weights = mapped.candidates(mapped.weights.transform(["khaisinh sodo"]))
    assert sorted((found >> 1).tolist()) == [5, 10]  # row 4 by its rare word, row 9 the heaviest of the common one
    assert isinstance(mapped.post_rows, np.memmap)  # read from the file, not loaded


def test_a_rewritten_text_is_found_by_its_new_words_without_refitting_the_words(cases, monkeypatch):
    monkeypatch.setattr(index_module, "REFIT_GROWTH", 10.0)  # four texts: one more is growth enough to refit
    call_command("build_semantic_index")
    index = vector_index()
    index.refresh(force=True)
    fitted = index._weights
    karaoke = cases[2]
    Case.objects.filter(pk=karaoke.pk).update(
        title="Thủ tục làm sổ đỏ lần đầu cho gia đình", body="Xin hỏi cần giấy tờ gì?"
    )
    embed_objects(object_type=ObjectType.CASE, ids=[karaoke.pk])
    index.refresh(force=True)
    assert index._weights is fitted  # the files' weights: no refit for one edit
    found = [(n.object_type, n.object_id) for n in index.nearest(text=QUERY, vector=embed_one(QUERY), k=10)]
    assert found.count(("case", karaoke.pk)) == 1  # by its new text, once
    old = index.nearest(text="hàng xóm hát karaoke đến nửa đêm", vector=None, k=10)
    assert ("case", karaoke.pk) not in [(n.object_type, n.object_id) for n in old]


def test_a_cases_own_vector_is_read_from_the_process_or_the_file_not_the_database(
    cases, settings, django_assert_num_queries
):
    from caunoi.understanding.similar import stored_vector

    exact = stored_vector(cases[0])
    call_command("build_semantic_index")
    vector_index().refresh(force=True)
    settings.SEMANTIC_INDEX_CHECK_SECONDS = 3600  # no check for new rows inside the block below
    with django_assert_num_queries(0):
        mapped = vector_index().vector_of(ObjectType.CASE, cases[0].pk)
    assert mapped is not None
    assert np.linalg.norm(mapped) == pytest.approx(1.0, abs=1e-3)  # at the stored vectors' scale, not int8's
    assert float(mapped @ exact) > 0.99
    assert vector_index().vector_of(ObjectType.CASE, 10**9) is None
