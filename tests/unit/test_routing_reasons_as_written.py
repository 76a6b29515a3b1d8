"""A learned routing suggestion's reasons are the words as the case wrote them (with their diacritics), while
the model itself matches folded words, so a text typed without diacritics still finds the same agency."""

from __future__ import annotations

from caunoi.understanding import routing_learn
from caunoi.understanding.fusion import as_written

from tests.support import semantic_eval


def pipeline():
    examples = [
        routing_learn.Example(q.text, q.category, "", q.agency) for q in semantic_eval.questions() if not q.unaccented
    ]
    return routing_learn.train(examples)


def test_folded_reasons_are_shown_as_the_text_writes_them():
    text = "Xin cấp Giấy chứng nhận quyền sử dụng đất lần đầu"
    assert as_written(text, ["giay chung nhan", "dat", "lan dau"]) == ["giấy chứng nhận", "đất", "lần đầu"]
    assert as_written("xin cap so do lan dau", ["so do"]) == ["so do"]  # typed without diacritics: as typed
    assert as_written(text, ["khai sinh"]) == ["khai sinh"]  # not in the text (never expected): left folded


def test_routing_reasons_keep_the_diacritics_of_the_case_text():
    model = pipeline()
    text = "Xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu"
    top = routing_learn.suggest(model, text=text, category="dat-dai", area="")[0]
    assert top.reasons
    assert all(reason in text.lower() for reason in top.reasons)
    assert any(reason != routing_learn.vn_fold(reason) for reason in top.reasons)  # accented, not folded

    unaccented = routing_learn.suggest(
        model, text="xin hoi thu tuc cap giay chung nhan quyen su dung dat", category="dat-dai", area=""
    )[0]
    assert unaccented.agency == top.agency
    assert all(reason == routing_learn.vn_fold(reason) for reason in unaccented.reasons)
