"""Personal data in realistic Vietnamese questions and answers is hidden, and nothing else changes.

Each case is (text, submitter's name, submitter's address, expected); in `expected` the markers are written
{P} phone, {E} e-mail, {I} ID number, {N} name, {A} address, filled in with the real markers at test time.
"""

from __future__ import annotations

import pytest
from caunoi.core import redaction
from django.utils import translation

NAME = "Nguyễn Văn An"
ADDR = "Số 12 ngõ 34 phố Hoàng Hoa Thám, phường Ngọc Hà, Hà Nội"

CORPUS: list[tuple[str, str, str, str]] = [
    # --- mobile numbers in every common shape
    ("Xin liên hệ tôi qua số 0912345678 để trao đổi thêm.", "", "", "Xin liên hệ tôi qua số {P} để trao đổi thêm."),
    ("Số điện thoại của tôi: 0912 345 678.", "", "", "Số điện thoại của tôi: {P}."),
    ("Điện thoại 0912.345.678, gọi giờ hành chính.", "", "", "Điện thoại {P}, gọi giờ hành chính."),
    ("Gọi 091-234-5678 nếu cần bổ sung hồ sơ.", "", "", "Gọi {P} nếu cần bổ sung hồ sơ."),
    ("SĐT: +84 912 345 678 (Zalo).", "", "", "SĐT: {P} (Zalo)."),
    ("Liên hệ +84912345678 hoặc 0387654321.", "", "", "Liên hệ {P} hoặc {P}."),
    ("Tel (+84) 98 765 4321, xin cảm ơn.", "", "", "Tel {P}, xin cảm ơn."),
    ("Con tôi dùng số 0708 123 456 để đăng ký.", "", "", "Con tôi dùng số {P} để đăng ký."),
    ("Số 056.789.1234 không liên lạc được.", "", "", "Số {P} không liên lạc được."),
    # --- landlines
    (
        "Tôi đã gọi tổng đài 024 3825 1234 nhưng không ai nghe máy.",
        "",
        "",
        "Tôi đã gọi tổng đài {P} nhưng không ai nghe máy.",
    ),
    ("Điện thoại cố định nhà tôi là (028) 3823 4567.", "", "", "Điện thoại cố định nhà tôi là {P}."),
    ("Số máy bàn 0236.3822.123, gặp chị Hoa.", "", "", "Số máy bàn {P}, gặp chị {N}."),
    ("Liên hệ 02438251234 trong giờ hành chính.", "", "", "Liên hệ {P} trong giờ hành chính."),
    # --- e-mail
    (
        "Vui lòng trả lời qua email nguyenvanan1980@gmail.com giúp tôi.",
        "",
        "",
        "Vui lòng trả lời qua email {E} giúp tôi.",
    ),
    ("Email: tran.thi.binh@yahoo.com.vn.", "", "", "Email: {E}."),
    ("Tôi gửi hồ sơ tới hoa.le+thue@outlook.com từ tuần trước.", "", "", "Tôi gửi hồ sơ tới {E} từ tuần trước."),
    # --- ID numbers
    ("CCCD của tôi số 001090012345 cấp năm 2021.", "", "", "CCCD của tôi số {I} cấp năm 2021."),
    ("Căn cước công dân 038 090 012 345 bị mất.", "", "", "Căn cước công dân {I} bị mất."),
    ("CMND số 012345678 do Công an Hà Nội cấp.", "", "", "CMND số {I} do Công an Hà Nội cấp."),
    ("Mã định danh 079203004567 đã được kích hoạt.", "", "", "Mã định danh {I} đã được kích hoạt."),
    ("Tôi có CMND 164123456 và CCCD 036185001234.", "", "", "Tôi có CMND {I} và CCCD {I}."),
    # --- the submitter's own name, any case or diacritics
    ("Tôi là Nguyễn Văn An, cư trú tại xã Tân Lập.", NAME, "", "Tôi là {N}, cư trú tại xã Tân Lập."),
    ("Kính gửi ông Nguyễn Văn An, Sở trả lời như sau.", NAME, "", "Kính gửi ông {N}, Sở trả lời như sau."),
    ("NGUYỄN VĂN AN kính đề nghị cơ quan xem xét.", NAME, "", "{N} kính đề nghị cơ quan xem xét."),
    ("Toi ten nguyen van an, xin hoi ve thu tuc.", NAME, "", "Toi ten {N}, xin hoi ve thu tuc."),
    ("Trả lời ông An: hồ sơ của ông đã đầy đủ.", NAME, "", "Trả lời ông {N}: hồ sơ của ông đã đầy đủ."),
    ("Ông Nguyễn An hỏi về tiền sử dụng đất.", NAME, "", "Ông {N} hỏi về tiền sử dụng đất."),
    ("Bà Trần Thị Bình, tổ 3, hỏi về chế độ thai sản.", "Trần Thị Bình", "", "Bà {N}, {A}, hỏi về chế độ thai sản."),
    ("Chị Bình có thể nộp hồ sơ trực tuyến.", "Trần Thị Bình", "", "Chị {N} có thể nộp hồ sơ trực tuyến."),
    ("Anh Lê Hoàng Nam phản ánh đèn đường bị hỏng.", "Lê Hoàng Nam", "", "Anh {N} phản ánh đèn đường bị hỏng."),
    # --- the submitter's own address
    (f"Tôi ở {ADDR}, muốn hỏi về cấp sổ đỏ.", NAME, ADDR, "Tôi ở {A}, muốn hỏi về cấp sổ đỏ."),
    ("Nhà tôi tại số 12 ngõ 34 phố Hoàng Hoa Thám bị nứt.", NAME, ADDR, "Nhà tôi tại {A} bị nứt."),
    (
        "Gia đình ở thôn Đông, xã Hòa Bình, huyện Kim Bôi.",
        "",
        "thôn Đông, xã Hòa Bình, huyện Kim Bôi",
        "Gia đình ở {A}.",
    ),
    # --- house-number addresses of anyone
    ("Cửa hàng ở 123 Nguyễn Trãi lấn chiếm vỉa hè.", "", "", "Cửa hàng ở {A} lấn chiếm vỉa hè."),
    ("Quán karaoke tại 45B đường Trần Phú hát đến 2 giờ sáng.", "", "", "Quán karaoke tại {A} hát đến 2 giờ sáng."),
    ("Rác đổ trước nhà số 7 ngách 15/2 ngõ 100 đường Láng.", "", "", "Rác đổ trước {A}."),
    ("Ống nước vỡ ở ngõ 58 phố Nguyễn Khánh Toàn từ hôm qua.", "", "", "Ống nước vỡ ở {A} từ hôm qua."),
    ("Công trình tại hẻm 45/2 đường Lê Văn Sỹ không có giấy phép.", "", "", "Công trình tại {A} không có giấy phép."),
    ("Tôi thuê nhà ở 12/3 Lê Lợi, phường Bến Nghé.", "", "", "Tôi thuê nhà ở {A}, phường Bến Nghé."),
    ("Địa chỉ: số 5 phố Huế, quận Hai Bà Trưng.", "", "", "Địa chỉ: {A}, quận Hai Bà Trưng."),
    # --- several kinds at once
    (
        "Tôi là Nguyễn Văn An, CCCD 001090012345, ĐT 0912345678, email an.nv@gmail.com.",
        NAME,
        "",
        "Tôi là {N}, CCCD {I}, ĐT {P}, email {E}.",
    ),
    (
        "Ông Phạm Văn Đức (SĐT 0983 111 222) ở 56 Lý Thường Kiệt đề nghị sửa đường.",
        "Phạm Văn Đức",
        "",
        "Ông {N} (SĐT {P}) ở {A} đề nghị sửa đường.",
    ),
    (
        "Trả lời bà Hoàng Thị Mai: Theo Điều 12 Luật Đất đai 2024, bà liên hệ 024 3942 1111.",
        "Hoàng Thị Mai",
        "",
        "Trả lời bà {N}: Theo Điều 12 Luật Đất đai 2024, bà liên hệ {P}.",
    ),
    # --- nothing personal: the text must come back unchanged
    ("Theo khoản 2 Điều 12 Nghị định 43/2014/NĐ-CP, hồ sơ gồm 3 loại giấy tờ.", "", "", ""),
    ("Lệ phí trước bạ là 2% giá trị, tức 1.500.000 đồng cho 75.000.000 đồng.", "", "", ""),
    ("Thời hạn giải quyết là 15 ngày làm việc kể từ ngày 01/07/2025.", "", "", ""),
    ("Tổng mức đầu tư dự án là 250.000.000 đồng, khởi công năm 2026.", "", "", ""),
    ("Đường dây nóng 1900 1234 hoạt động 24/7 để tiếp nhận phản ánh.", "", "", ""),
    ("Quyết định số 1234/QĐ-UBND ngày 12/3/2025 của Ủy ban nhân dân tỉnh.", "", "", ""),
    ("Trường hợp của ông được giải quyết theo Thông tư 01/2025/TT-BTNMT.", NAME, "", ""),
    ("Đề nghị ông liên hệ Phòng Tài nguyên và Môi trường để được hướng dẫn.", NAME, ADDR, ""),
    ("Học sinh lớp 12 được miễn học phí theo Nghị quyết 217/2025/QH15.", "", "", ""),
    ("Dự án có 120 căn hộ, diện tích 1500 m2, tại phường Ngọc Hà.", NAME, ADDR, ""),
    ("Năm 2025 có 3 đợt tuyển sinh, mỗi đợt 2 tuần.", "", "", ""),
    ("Anh em trong tổ dân phố đều đồng ý với phương án.", NAME, "", ""),
    ("Mức lương cơ sở là 2.340.000 đồng/tháng từ 01/7/2024.", "", "", ""),
    ("Ủy ban có 3 Phó Chủ tịch, mỗi người phụ trách một lĩnh vực.", "", "", ""),
    ("Huyện có 12 Trường THCS và 2 Bệnh viện đa khoa.", "", "", ""),
    ("Công văn số 215 Sở Xây dựng gửi ngày 3/4 đã trả lời việc này.", "", "", ""),
    ("Tuyến đường Trường Chinh sẽ được mở rộng trong năm 2026.", "", "", ""),
    ("Nhà tôi ở 245 Trường Chinh bị ngập mỗi khi mưa.", "", "", "Nhà tôi ở {A} bị ngập mỗi khi mưa."),
    # A year then a street is not an address: nobody lives at "2024, đường Lê Lợi".
    ("Theo Luật Đất đai 2024, đường Lê Lợi thuộc diện mở rộng.", "", "", ""),
    ("Từ năm 2019, đường Nguyễn Trãi đã cấm xe tải.", "", "", ""),
    # --- a person's page on a social network points at them as surely as a phone number
    (
        "Trang cá nhân của tôi: facebook.com/nguyenvana.1990, nhắn qua đó.",
        "",
        "",
        "Trang cá nhân của tôi: {O}, nhắn qua đó.",
    ),
    (
        "Liên hệ https://www.facebook.com/profile.php?id=100012345678 hoặc zalo.me/0912345678 nhé.",
        "",
        "",
        "Liên hệ {O} hoặc {O} nhé.",
    ),
    ("Video ở tiktok.com/@hoanganh_98 và instagram.com/hoang.anh.", "", "", "Video ở {O} và {O}."),
    ("Mời ông theo dõi fanpage chính thức của UBND quận: facebook.com/ubndquanbadinh.", "", "", ""),
    ("Thông tin được đăng trên kênh chính thức của Sở tại zalo.me/sotuphaphanoi.", "", "", ""),
]

MARKERS = {
    "P": redaction.PHONE,
    "E": redaction.EMAIL,
    "I": redaction.ID_NUMBER,
    "N": redaction.NAME,
    "A": redaction.ADDRESS,
    "O": redaction.OTHER,
}


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 50


@pytest.mark.parametrize(("text", "name", "address", "expected"), CORPUS, ids=[c[0][:40] for c in CORPUS])
def test_personal_data_is_hidden_and_the_rest_untouched(text: str, name: str, address: str, expected: str) -> None:
    with translation.override("en"):
        wanted = expected.format(**{key: redaction.marker(kind) for key, kind in MARKERS.items()}) if expected else text
        got = redaction.redact(text, names=[name] if name else [], addresses=[address] if address else [])
    assert got == wanted


def test_markers_are_translated() -> None:
    with translation.override("en"):
        assert redaction.marker(redaction.PHONE) == "[hidden: phone number]"


def test_a_reviewer_phrase_is_hidden_everywhere_without_regard_to_diacritics() -> None:
    with translation.override("en"):
        out = redaction.apply("Cô giáo Hạnh nói: hạnh phúc là... HANH ơi", [("other", "Hanh")])
    hidden = "[hidden: personal information]"
    assert out == f"Cô giáo {hidden} nói: {hidden} phúc là... {hidden} ơi"


def test_the_name_alone_is_not_hidden_without_a_form_of_address() -> None:
    # "An" is also a common word (an toàn, bình an): only "ông An", "anh An"... are the person.
    text = "Bảo đảm an toàn giao thông và bình an cho người dân."
    assert redaction.redact(text, names=[NAME]) == text


def test_contacts_given_by_the_submitter_are_hidden_even_in_odd_shapes() -> None:
    with translation.override("en"):
        out = redaction.redact("Gọi mình: 09 12 34 56 78 nhé", contacts=["09 12 34 56 78"])
    assert out == "Gọi mình: [hidden: phone number] nhé"


def test_detect_reports_kinds_and_exact_text() -> None:
    findings = redaction.detect("ĐT 0912 345 678, CCCD 001090012345", names=[])
    assert [(f.kind, f.text) for f in findings] == [("phone", "0912 345 678"), ("id_number", "001090012345")]


def test_highlighting_escapes_html_and_marks_words_with_any_diacritics() -> None:
    from caunoi.publication.search import highlight, query_terms, snippet

    terms = query_terms('dat -"thừa kế" <b>')
    assert terms == ["dat", "b"]
    out = highlight("<script>Đất</script> & đặt", terms)
    assert (
        out
        == "&lt;<mark>script</mark>&gt;<mark>Đất</mark>&lt;/<mark>script</mark>&gt; &amp; <mark>đặt</mark>".replace(
            "<mark>script</mark>", "script"
        )
    )
    long_text = " ".join(["chữ"] * 40 + ["[đã ẩn: số điện thoại]", "đất"] + ["chữ"] * 40)
    cut = snippet(long_text, ["dat"])
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>đất</mark>" in cut
    assert "[đã ẩn: số điện thoại]" in cut  # a marker is never cut in half
    assert "[đã ẩn: số điện thoại]:" in snippet("Gọi [đã ẩn: số điện thoại]: đất", ["dat"])  # no space added


def test_a_one_word_name_is_hidden_only_after_a_form_of_address() -> None:
    with translation.override("en"):
        out = redaction.redact("Chị Hoa hỏi về hoa quả nhập từ Hoa Kỳ.", names=["Hoa"])
    assert out == "Chị [hidden: personal name] hỏi về hoa quả nhập từ Hoa Kỳ."


# --- The large corpus: what must be hidden, what must stay, and false positives on ordinary texts -------------

RECALL_AT_LEAST = 0.97  # of the phrases that must be hidden, at least this share is
KEPT_AT_LEAST = 0.98  # of the phrases that must stay visible, at least this share does
FALSE_POSITIVE_TEXTS_AT_MOST = 0.03  # share of ordinary texts in which anything at all is proposed


def _covered(text: str, phrase: str, findings: list[redaction.Finding]) -> tuple[bool, bool]:
    """(fully hidden, touched at all) for the first occurrence of `phrase` in `text`."""
    start = text.index(phrase)
    chars = set(range(start, start + len(phrase)))
    hidden = {i for f in findings for i in range(f.start, f.end)}
    meaningful = {i for i in chars if not text[i].isspace()}
    return meaningful <= hidden, bool(chars & hidden)


def test_the_large_corpus_meets_its_thresholds() -> None:
    from tests.support.redaction_corpus import ORDINARY, PERSONAL

    assert len(PERSONAL) + len(ORDINARY) >= 200
    required = hidden = keep = kept = 0
    misses, damaged = [], []
    for text, name, must_hide, must_keep in PERSONAL:
        for phrase in [*must_hide, *must_keep]:
            assert phrase in text, f"corpus error: {phrase!r} not in {text!r}"
        findings = redaction.detect(text, names=[name] if name else [])
        for phrase in must_hide:
            required += 1
            full, _touched = _covered(text, phrase, findings)
            hidden += full
            if not full:
                misses.append((phrase, text))
        for phrase in must_keep:
            keep += 1
            _full, touched = _covered(text, phrase, findings)
            kept += not touched
            if touched:
                damaged.append((phrase, text))
    false_positive_texts = [(t, redaction.detect(t)) for t in ORDINARY]
    false_positive_texts = [(t, f) for t, f in false_positive_texts if f]
    recall, kept_share = hidden / required, kept / keep
    fp_share = len(false_positive_texts) / len(ORDINARY)
    print(
        f"\nredaction corpus: {len(PERSONAL)} texts with personal data, {len(ORDINARY)} ordinary texts\n"
        f"  hidden/required: {hidden}/{required} = {recall:.1%}\n"
        f"  kept/must keep: {kept}/{keep} = {kept_share:.1%}\n"
        f"  ordinary texts with a false positive: {len(false_positive_texts)}/{len(ORDINARY)} = {fp_share:.1%}"
    )
    for phrase, text in misses:
        print(f"  missed {phrase!r} in {text!r}")
    for phrase, text in damaged:
        print(f"  damaged {phrase!r} in {text!r}")
    for text, findings in false_positive_texts:
        print(f"  false positive {[(f.kind, f.text) for f in findings]} in {text!r}")
    assert recall >= RECALL_AT_LEAST
    assert kept_share >= KEPT_AT_LEAST
    assert fp_share <= FALSE_POSITIVE_TEXTS_AT_MOST


def test_every_marker_in_every_language_matches_the_pattern_search_removes() -> None:
    import re

    from django.conf import settings

    pattern = re.compile(redaction.MARKER_SQL_PATTERN)
    kinds = [redaction.PHONE, redaction.EMAIL, redaction.ID_NUMBER, redaction.NAME, redaction.ADDRESS]
    kinds += [redaction.DATE_OF_BIRTH, redaction.TAX_CODE, redaction.BANK_ACCOUNT, redaction.PLATE]
    kinds += [redaction.PASSPORT, redaction.OTHER]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for kind in kinds:
                assert pattern.fullmatch(redaction.marker(kind)), (language, kind)


def test_a_name_the_submitter_chose_to_show_is_not_proposed_but_others_are() -> None:
    text = "Tôi là Nguyễn Văn An, hàng xóm là ông Trần Văn Hùng; ông An xin hỏi."
    found = redaction.detect(text, public_names=["Nguyễn Văn An"])
    assert [(f.kind, f.text) for f in found] == [("name", "Trần Văn Hùng")]


def test_the_search_trigger_removes_the_markers_redaction_writes() -> None:
    # The trigger's SQL is frozen in its migration; a change of the markers needs a new migration.
    import importlib

    trigger = importlib.import_module("caunoi.publication.migrations.0006_privacy_review").CREATE_TRIGGER
    assert f"'{redaction.MARKER_SQL_PATTERN}'" in trigger
