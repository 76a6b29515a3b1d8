"""The evaluation set's shape, reciprocal rank fusion and the "why" words; routing learned from history."""

from __future__ import annotations

from collections import Counter

from caunoi.understanding import routing_learn
from caunoi.understanding.fusion import fuse, shared_words

from tests.support import semantic_eval


def test_the_evaluation_set_has_300_questions_in_paraphrase_groups_with_synonyms_and_unaccented_variants():
    questions = semantic_eval.questions()
    assert len(questions) >= 300
    groups = Counter(q.topic for q in questions)
    assert min(groups.values()) >= 6
    assert sum(q.unaccented for q in questions) >= 60
    land = [q.text for q in questions if q.topic == "land-cert-first"]
    assert any("sổ đỏ" in t for t in land) and any("giấy chứng nhận quyền sử dụng đất" in t for t in land)
    assert len({q.text for q in questions}) == len(questions)  # no question twice
    assert semantic_eval.questions() == questions  # deterministic


def test_rank_fusion_puts_what_both_lists_found_first_and_adds_signals():
    assert fuse([["a", "b", "c"], ["c", "d"]])[0] == "c"
    assert fuse([["a", "b"], ["b", "a"]]) == ["a", "b"]  # a tie keeps the first seen
    assert fuse([["a", "b"]], bonus={"b": 1.0}) == ["b", "a"]


def test_the_why_words_ignore_diacritics_and_prefer_two_syllable_words():
    words = shared_words("lam so do lan dau", "Thủ tục làm sổ đỏ lần đầu cho đất ông bà")
    assert "sổ đỏ" in words and "lần đầu" in words
    assert "tôi" not in shared_words("tôi hỏi về học phí", "tôi muốn biết học phí")


def test_a_model_learned_from_history_routes_unseen_questions_better_than_chance_and_says_why():
    questions = semantic_eval.questions()
    train = [q for i, q in enumerate(questions) if i % 3]
    held_out = [q for i, q in enumerate(questions) if not i % 3]

    def example(q):
        return routing_learn.Example(q.text, q.category, q.area or "", q.agency)

    pipeline = routing_learn.train([example(q) for q in train])
    top1, top3 = routing_learn.accuracy(pipeline, [example(q) for q in held_out])
    assert top3 >= 0.9, (top1, top3)
    guess = routing_learn.suggest(
        pipeline, text="Con tôi mới sinh, làm giấy khai sinh ở đâu?", category="thu-tuc-hanh-chinh", area="xa-00070"
    )[0]
    assert guess.agency == "UBND-P-HOANKIEM"
    assert any("khai sinh" in reason or "sinh" in reason for reason in guess.reasons)
    assert routing_learn.loads(routing_learn.dumps(pipeline)).predict(["dang ky khai sinh"]) is not None
