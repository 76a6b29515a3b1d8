import unicodedata

from caunoi.core.text import ACCENTED, BARE, vn_fold


def test_every_vietnamese_letter_folds_to_its_bare_letter():
    for accented, bare in zip(ACCENTED, BARE, strict=True):
        assert vn_fold(accented) == bare.lower(), accented


def test_decomposed_input_folds_like_precomposed():
    decomposed = unicodedata.normalize("NFD", "Cổng Thông tin điện tử")
    assert decomposed != "Cổng Thông tin điện tử"
    assert vn_fold(decomposed) == "cong thong tin dien tu"


def test_folding_keeps_spaces_digits_and_punctuation():
    assert vn_fold("Đất đai: 15 ngày!") == "dat dai: 15 ngay!"
