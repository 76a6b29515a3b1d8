"""Finding and hiding personal data in free text: for publication, anonymisation and error reports. Pure: no
database, no settings (the place names come from the `vietnam-provinces` package's data).

`detect()` proposes what to hide, following Law 91/2025 on personal data protection: phone numbers (found by
`phonenumbers`, the libphonenumber rules, plus the shapes people type), e-mail addresses, citizen ID numbers
(CCCD, CMND, in any grouping), passport, tax-code and bank-account numbers after the words that introduce
them ("STK", "MST", "hộ chiếu"), vehicle plates, dates of birth, personal names (the submitter's, and anyone
named after a form of address or with a Vietnamese family name), house-number addresses and hamlet/group
addresses ("tổ 5", "thôn Đông"). Place names, streets and schools named after historical figures, law names
and agency names are left alone.

`apply()` hides phrases, each everywhere it appears or only at one occurrence, without regard to case or
Vietnamese diacritics, replacing each with a visible marker ("[đã ẩn: số điện thoại]") so a reader knows
something was removed. A reviewer's decisions are phrases too, so one rule covers both. `MARKER_SQL_PATTERN`
matches every marker in every language, so search can leave them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext

from caunoi.core.text import ACCENTED, normalize, vn_fold

PHONE, EMAIL, ID_NUMBER, NAME, ADDRESS, OTHER = "phone", "email", "id_number", "name", "address", "other"
DATE_OF_BIRTH, TAX_CODE, BANK_ACCOUNT, PLATE, PASSPORT = "birth_date", "tax_code", "bank_account", "plate", "passport"

# A marker as written by marker() in Vietnamese or English (POSIX regex, also valid in Python): search.py's
# stored vector removes these, so "[đã ẩn: họ tên]" never makes a search for "họ" find the item.
MARKER_SQL_PATTERN = r"\[(đã ẩn|hidden): [^]]*\]"

_UPPER = "A-Z" + ACCENTED[len(ACCENTED) // 2 :]
_LOWER = "a-z" + ACCENTED[: len(ACCENTED) // 2]
_CAP_WORD = rf"[{_UPPER}][^\W\d_]*"
# A word of a personal name: a capital, then small letters only (so "UBND", "HĐND" are never names).
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+"
# Words that start legal references, offices and titles, not street names ("Điều 12 Luật Đất đai",
# "3 Phó Chủ tịch"). Street names that begin like an office ("Trường Chinh", "Văn Cao") are left possible.
_NOT_STREET = (
    r"(?!(?:Luật|Nghị|Thông|Quyết|Bộ|Sở|Ủy|Uỷ|UBND|HĐND|Chương|Điều|Mục|Khoản|Phụ|Phó|Chủ|Phòng|Ban|Công|"
    r"Cục|Tổng|Hội|Đảng|Bệnh|Trung|Viện|Tòa|Toà|Quốc|Chính|Giấy|Hộ|Tháng|Ngày|Năm|Học|Giáo|Người|Cán|"
    r"Đoàn|Hợp|Doanh|Ngân|Xã|Phường|Quận|Huyện|Tỉnh|Thị|Đơn|Tờ|Bản|Lớp|Khối|Tổ|Đội|Hiến|Tuyên|Báo|Kế|"
    r"Đề|Văn bản|Dự|Chỉ|Nhà nước|Thành|Đại|Cổng|Tết|Cách|Chiến)\b)"
)
# Addresses never run across lines: [^\S\n] is white space other than a line break.
_STREET_NAME = rf"{_NOT_STREET}{_CAP_WORD}(?:[^\S\n]+{_CAP_WORD}){{0,3}}"
_HOUSE_NO = r"\d{1,4}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?)*"
_LANE = rf"(?:,?\s*(?:ngõ|ngách|hẻm|kiệt|Ngõ|Ngách|Hẻm|Kiệt)\s+(?:số\s+)?{_HOUSE_NO})"
# After "phố", "đường" the words are a street whatever they look like ("phố Đội Cấn").
_STREET = rf"(?:,?\s*(?:phố|đường|Phố|Đường)\s+{_CAP_WORD}(?:[^\S\n]+{_CAP_WORD}){{0,3}})"
# A bare number is a house number only when the street follows it at once: "45B đường Trần Phú", but not
# "Luật Đất đai 2024, đường Lê Lợi" (a year, then a street that is no one's address).
_STREET_NEXT = rf"(?:[^\S\n]+(?:phố|đường|Phố|Đường)\s+{_CAP_WORD}(?:[^\S\n]+{_CAP_WORD}){{0,3}})"

# A person's page on a social network (Facebook, Zalo, TikTok, Instagram, X, YouTube): the address up to the
# first space, with or without the scheme and "www."/"m.", only when it names a profile (a path after the host).
_SOCIAL_RE = re.compile(
    r"(?<![\w@./-])(?:https?://)?(?:(?:www|m|web|vn)\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|zalo\.me|tiktok\.com|instagram\.com|twitter\.com|x\.com|youtube\.com)"
    r"/[^\s<>\"'),;]*[^\s<>\"'),;.!?]",
    re.IGNORECASE,
)
# An agency's or newspaper's own page, as answers cite them ("fanpage chính thức của UBND: facebook.com/…").
_OFFICIAL_PAGE_BEFORE = re.compile(
    r"fanpage|trang (?:chinh thuc|thong tin)|kenh (?:chinh thuc|thong tin)|cong thong tin|"
    r"cua (?:ubnd|uy ban|so|bo|cuc|phong|cong an|bao|dai|truong|benh vien)\b"
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_SEP = r"[\s.\-]?"
_PHONE_RES = [
    # Mobile: 0 or +84 / (+84) / 0084 / 84, then 3/5/7/8/9 and eight more digits, any single separators.
    re.compile(rf"(?<![\w+])(?:\(\+84\)|\+84|0084|84|0){_SEP}[35789](?:{_SEP}\d){{8}}(?!\d)"),
    # Landline: 0 + 2x area code, eleven digits with the 0; the area code may be in brackets.
    re.compile(rf"(?<![\w+(])(?:(?:\(\+84\)|\+84)\s?\(?|\(?0)2\d(?:\)?{_SEP}\d){{8}}(?!\d)"),
]
# Hotlines of agencies and businesses (1800 free, 1900 paid) are public, not personal.
_PUBLIC_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
}
_NO_MONEY = r"(?!\s*(?:đồng|đ\b|VNĐ|VND|vnđ|vnd|triệu|tỷ))"
_ID_RES = [
    re.compile(rf"(?<![\d.,/])\d{{12}}(?![\d/]|[.,]\d){_NO_MONEY}"),  # CCCD
    # CCCD in groups, as people copy it from the card: 001 090 012 345, 0012 3456 7890, 001.090.012.345.
    # A leading 0 (province codes 001-096) tells it from an amount of money ("1.090.012.345 đồng").
    re.compile(
        rf"(?<![\d.,/\w])(?:0\d{{2}}([ .\-])\d{{3}}\1\d{{3}}\1\d{{3}}|0\d{{3}}([ .\-])\d{{4}}\2\d{{4}}|"
        rf"0\d{{2}}[ .\-]\d{{9}}|0\d{{5}}[ .\-]\d{{6}})(?![\d/]|[.,]\d){_NO_MONEY}"
    ),
    re.compile(rf"(?<![\d.,/])\d{{9}}(?![\d/]|[.,]\d){_NO_MONEY}"),  # CMND
]
# A number (digits with single spaces, dots or dashes between them) after the words that say what it is.
# Matched on the folded text, so "so tai khoan" counts like "số tài khoản".
_DIGITS = r"\d(?:[ .\-]?\d){{{lo},{hi}}}(?!\d)"
# Up to four small words may stand between ("CMT của bố tôi: ...", "MST cá nhân của tôi là ...").
_INTRO = r"(?:\s+[a-z]+){0,4}?\s*(?:\(|:|\.|-)?\s*(?:la\s+|so\s*:?\s*)?"
_CONTEXT_RES = [
    (
        ID_NUMBER,
        re.compile(
            r"(?<!\w)(?:cccd|cmnd|cmt|can cuoc(?: cong dan)?|(?:giay )?chung minh(?: nhan dan| thu)?|"
            r"(?:ma|so) dinh danh(?: ca nhan)?|the can cuoc)" + _INTRO + "(" + _DIGITS.format(lo=8, hi=11) + ")"
        ),
    ),
    (PASSPORT, re.compile(r"(?<!\w)(?:ho chieu|passport)" + _INTRO + r"([a-z]\s?\d{7,8})(?!\w)")),
    (
        TAX_CODE,
        re.compile(
            r"(?<!\w)(?:mst|ma so thue(?: ca nhan)?|ma so doanh nghiep|msdn)"
            + _INTRO
            + r"(\d(?:[ .]?\d){9}(?:\s?-\s?\d{3})?)(?!\d)"
        ),
    ),
    (
        BANK_ACCOUNT,
        re.compile(
            r"(?<!\w)(?:stk|so tai khoan|so tk|tai khoan(?: ngan hang)?|tk ngan hang|tk)"
            + r"(?:\s+(?:cua toi|ca nhan|thu huong))?"
            + _INTRO
            + "("
            + _DIGITS.format(lo=5, hi=18)
            + ")"
        ),
    ),
    (
        PLATE,
        re.compile(
            r"(?<!\w)(?:bien so(?: xe)?|bien kiem soat|bks|bien xe)"
            + _INTRO
            + r"(\d{2}[ .\-]?[a-z][a-z0-9]?(?:[ .\-]?\d){4,5})(?!\w)"
        ),
    ),
    (
        DATE_OF_BIRTH,
        re.compile(
            r"(?<!\w)(?<!phat )(?<!nay )(?<!hoc )(?<!ve )(?<!moi )(?<!tuyen )(?<!thi )(?<!hy )(?<!ky )(?<!san )"
            r"(?:ngay thang nam sinh|ngay sinh|sinh ngay|sinh nam|nam sinh|sinh|dob|sn)(?:\s+[a-z]+){0,3}?\s*:?\s*"
            r"(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}|\d{1,2} thang \d{1,2} nam (?:19|20)\d{2}|"
            r"(?:19|20)\d{2})(?!\d)"
        ),
    ),
]
_SHAPE_RES = [
    # Plates: 29A-123.45, 51F1 234.56, 30E-12345, 59-X1 123.45. Tax codes of a branch: 0101234567-001.
    (PLATE, re.compile(r"(?<![\w\-./])\d{2}[ \-]?[A-Z](?:[A-Z]|\d)?[ \-]?\d{3}\.?\d{2}(?![\w/])")),
    (PLATE, re.compile(r"(?<![\w\-./])\d{2}-[A-Z]\d[ ]\d{3}\.\d{2}(?![\w/])")),
    (TAX_CODE, re.compile(r"(?<![\w\-./])\d{10}-\d{3}(?![\w/])")),
    (PASSPORT, re.compile(r"(?<![\w\-./])[BCNP]\d{7}(?![\w/])")),
]
_ADDRESS_RES = [
    # "số 12 ngõ 34 phố Huế", "nhà số 5, ngách 2/7 đường Lê Lợi"
    re.compile(
        rf"(?<!\w)(?:[Ss]ố nhà|[Nn]hà số|[Ss]ố)\s+{_HOUSE_NO}"
        rf"(?:{_LANE}+(?:{_STREET}|[^\S\n]+{_STREET_NAME})?|{_LANE}*(?:{_STREET}|,?\s+{_STREET_NAME}))"
    ),
    # "ngõ 34 phố Huế", "hẻm 45/2 đường Lê Văn Sỹ"
    re.compile(
        rf"(?<!\w)(?:ngõ|ngách|hẻm|kiệt|Ngõ|Ngách|Hẻm|Kiệt)\s+{_HOUSE_NO}{_LANE}*(?:{_STREET}|[^\S\n]+{_STREET_NAME})?"
    ),
    # "123 Nguyễn Trãi", "45B đường Trần Phú", "12/3 Lê Lợi"
    # Not after a hyphen: "HD-2026-42" is a tracking code.
    re.compile(rf"(?<![\w/.,-])(?<!\d\s){_HOUSE_NO}{_LANE}*(?:{_STREET_NEXT}|[^\S\n]+{_STREET_NAME})"),
]
# Hamlets, villages and residential groups: small enough to point at a household ("tổ 5", "thôn Đông").
_HAMLET_RE = re.compile(
    r"(?<!\w)(?:(?i:tổ dân phố|tổ dân cư|khu phố|tổ|thôn|xóm|ấp|khóm|to dan pho|khu pho|to|thon|xom|ap|khom)|TDP|KP)"
    r"[^\S\n]+(?:số[^\S\n]+)?\d{1,3}[A-Za-z]?(?!\w|[/.,\-]\w)"
    r"|(?<!\w)(?i:thôn|xóm|ấp|khóm|buôn|làng|sóc|bản|thon|xom|buon)"
    rf"[^\S\n]+{_NOT_STREET}{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD}){{0,2}}"
)
# An office's address is public: "Tòa nhà số 8 ...", "trụ sở tại 12 ...", "Văn phòng: 5 ...".
_OFFICE_BEFORE = re.compile(r"(?<![a-z])(?:toa|tru so(?: tai)?|van phong(?: tai)?)\s*:?\s*$")
_NUMBER_CONTEXT = re.compile(
    r"(?:điều|khoản|điểm|chương|mục|năm|ngày|tháng|số|phụ lục|nghị định|thông tư|quyết định|luật|"
    r"tổ|khu|lớp|phòng|tầng|giờ|trang|tuổi|lần|đợt|bước|quý|có|gồm|hơn|khoảng|dưới|gần|những|các|mỗi|"
    r"thêm|tổng cộng)\s*$",
    re.IGNORECASE,
)
_HONORIFICS = (
    "ông",
    "bà",
    "anh",
    "chị",
    "cô",
    "chú",
    "bác",
    "em",
    "cháu",
    "cụ",
    "dì",
    "thím",
    "mợ",
    "cậu",
    "bé",
    "bạn",
)
_FOLDED_HONORIFICS = "(?:" + "|".join(sorted({vn_fold(h) for h in _HONORIFICS}, key=len, reverse=True)) + ")"
# Unaccented forms too ("ong Nguyen Van B"), except "ban", an ordinary word in accented text ("Ủy ban Mặt trận").
_HONORIFIC_ALT = "|".join(sorted({*_HONORIFICS, *(vn_fold(h) for h in _HONORIFICS)} - {"ban"}, key=len, reverse=True))
_FAMILY_NAMES = (  # noqa: SIM905 (a list of words reads best as words)
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Đoàn Lâm Trịnh Trương "
    "Lương Lưu Tạ Tô Châu Kiều Quách Thái Đàm Hứa Lục Mạc Phùng Chu Triệu Tăng La Hầu Khúc Nông Lò Vi Thân "
    "Cao Hà Mai Tôn Giáp Âu Khổng Thạch Diệp Tống Lại Nghiêm Bạch Kim Quan Doãn Khuất Từ"
).split()
# Family names that are also the first word of institutions and places ("Đoàn Thanh niên", "Cao đẳng",
# "Châu Âu"): a name with one of them needs three words ("Đoàn Thị Mơ").
_AMBIGUOUS_FAMILY = {
    vn_fold(f)
    for f in "Đoàn Cao Lâm Hà Mai Kim Quan Thái Châu Hồ Tôn Từ Lại Lục Thân Tăng La Giáp Âu Vi".split()  # noqa: SIM905
}
_FAMILY_ALT = "|".join(
    sorted({*_FAMILY_NAMES, *(vn_fold(f).capitalize() for f in _FAMILY_NAMES)}, key=len, reverse=True)
)
# Anyone named after a form of address ("ông Bình", "chị Nguyễn Thị Lan"), or a family name and one to three
# more name words ("Trần Thị Mai", "Tran Van Hung").
_ADDRESSED_NAME_RE = re.compile(
    rf"(?<!\w)(?i:{_HONORIFIC_ALT})[^\S\n]+({_NAME_WORD}(?:[^\S\n]+{_NAME_WORD}){{0,3}})(?!\w)"
)
# Names written in capitals ("NGUYỄN VĂN BÌNH", as on forms): a family name, then a common middle name (so
# "HỒ SƠ ĐỀ NGHỊ" is not one), then one or two more words.
_MIDDLE_NAMES = (  # noqa: SIM905
    "VĂN THỊ ĐỨC MINH HỮU NGỌC QUỐC THANH XUÂN CÔNG ĐÌNH HOÀNG KIM THU BÁ TRỌNG QUANG ANH TIẾN DUY HỒNG THÀNH "
    "HẢI MẠNH TRUNG TUẤN GIA BẢO PHƯƠNG MỸ DIỆU KHÁNH NHƯ THÁI HUY VIẾT"
).split()
_CAPS_FAMILY_ALT = "|".join(
    sorted({f.upper() for f in _FAMILY_NAMES} | {vn_fold(f).upper() for f in _FAMILY_NAMES}, key=len, reverse=True)
)
_CAPS_MIDDLE_ALT = "|".join(
    sorted({*_MIDDLE_NAMES, *(vn_fold(m).upper() for m in _MIDDLE_NAMES)}, key=len, reverse=True)
)
_CAPS_NAME_RE = re.compile(
    rf"(?<!\w)((?:{_CAPS_FAMILY_ALT})[^\S\n]+(?:{_CAPS_MIDDLE_ALT})(?:[^\S\n]+[{_UPPER}]+){{1,2}})(?!\w)"
)
_FULL_NAME_RE = re.compile(rf"(?<!\w)((?:{_FAMILY_ALT})(?:[^\S\n]+{_NAME_WORD}){{1,3}})(?!\w)")
# Capitalised words after a form of address that are titles or offices, not names ("ông Chủ tịch").
_TITLE_WORDS = {
    w.lower()
    for w in (  # noqa: SIM905
        "Chủ Phó Giám Trưởng Bí Thủ Bộ Tổng Công Luật Bác Tiến Thạc Giáo Kỹ Kiểm Thanh Cán Đại Trung Thượng "
        "Hiệu Viện Chánh Thẩm Hội Ủy Uỷ Đội Tổ Trợ Điều Cục Sở Phòng Ban Nhà Chi Đảng Đoàn Xã Phường Huyện "
        "Tỉnh Quận Thị Thành Chính Nghị Quyết Thông Người Mình Tôi Em Anh Chị Ông Bà Con Cháu Gia Họ Ấy Đó "
        "Trưởng Lãnh Cô Chú Bác Dì Cụ Cậu Mợ Thím Vợ Chồng Bố Mẹ Cha"
    ).split()
}
_FOLDED_TITLE_WORDS = {vn_fold(w) for w in _TITLE_WORDS}
# Words before a name that make it a place: a street, school or ward named after someone ("đường Lê Lợi",
# "Trường THCS Nguyễn Du", "sông Tô Lịch"), or an institution.
_PLACE_BEFORE = re.compile(
    r"(?<![a-z])(?:duong|pho|phuong|xa|quan|huyen|truong|benh vien|cau|cho|ngo|hem|kiet|"
    r"dai lo|cong vien|khu|quang truong|lang|tuong dai|hoc vien|cong ty|toa nha|chung cu|song|kenh|nui|deo|"
    r"vinh|dac khu|nha van hoa|thon|xom|ap|giai thuong|quy|tuyen|nut giao|bao tang|nha tho)"
    r"\s+(?:(?:thcs|thpt|tieu hoc|mam non|dai hoc|chuyen|so\s*\d+)\s+)?$"
)
# Historical figures who name streets, schools and wards: public, not personal data.
_FAMOUS = {
    vn_fold(n)
    for n in (  # noqa: SIM905
        "Hồ Chí Minh|Trần Hưng Đạo|Lê Lợi|Nguyễn Trãi|Lý Thường Kiệt|Lê Duẩn|Võ Nguyên Giáp|Phan Bội Châu|"
        "Nguyễn Du|Lê Thánh Tông|Ngô Quyền|Đinh Tiên Hoàng|Trần Phú|Nguyễn Huệ|Phan Chu Trinh|Lý Tự Trọng|"
        "Hoàng Diệu|Lê Quý Đôn|Nguyễn Văn Cừ|Võ Thị Sáu|Nguyễn Thị Minh Khai|Lê Hồng Phong|Trần Quốc Toản|"
        "Lý Thái Tổ|Lý Công Uẩn|Nguyễn Chí Thanh|Phạm Văn Đồng|Phạm Ngũ Lão|Trần Nhân Tông|Nguyễn Đình Chiểu|"
        "Hồ Tùng Mậu|Tôn Đức Thắng|Hoàng Hoa Thám|Trần Quang Khải|Nguyễn Thái Học|Lê Văn Tám|Nguyễn Văn Trỗi|"
        "Phan Đình Phùng|Lê Đại Hành|Mạc Đĩnh Chi|Chu Văn An|Nguyễn Khuyến|Hồ Xuân Hương|Lê Văn Sỹ|"
        "Nguyễn Khánh Toàn|Nguyễn Văn Linh|Trần Khát Chân|Hồ Gươm|Hồ Tây|Hồ Hoàn Kiếm|Hồ Trúc Bạch|Bác Hồ|"
        "Lê Thánh Tôn|Đào Duy Từ|Lương Thế Vinh|Nguyễn Bỉnh Khiêm|Trương Định|Hai Bà Trưng|Bà Trưng|Bà Triệu|Bà Rịa|"
        "Ông Ích Khiêm|Phan Đăng Lưu|Nguyễn Tất Thành|Võ Văn Kiệt|Lê Văn Lương|Phạm Hùng|Trần Duy Hưng|"
        "Văn Cao|Trường Chinh|Thái Lan|Hà Lan|Cao Nguyên|Lâm Viên|Hồ Núi Cốc|Nguyễn Xiển|Kim Mã|Kim Liên|"
        "Cao Lỗ|Tô Lịch|Mai Hắc Đế|Phùng Hưng|Lý Nam Đế"
    ).split("|")
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int


def marker(kind: str) -> str:
    """The visible replacement for a hidden phrase, in the active language."""
    labels = {
        PHONE: gettext("phone number"),
        EMAIL: gettext("email address"),
        ID_NUMBER: gettext("ID number"),
        NAME: gettext("personal name"),
        ADDRESS: gettext("address"),
        DATE_OF_BIRTH: gettext("date of birth"),
        TAX_CODE: gettext("tax code"),
        BANK_ACCOUNT: gettext("bank account number"),
        PLATE: gettext("vehicle plate"),
        PASSPORT: gettext("passport number"),
    }
    return gettext("[hidden: %(what)s]") % {"what": labels.get(kind, gettext("personal information"))}


def detect(
    text: str,
    *,
    names: Iterable[str] = (),
    addresses: Iterable[str] = (),
    contacts: Iterable[str] = (),
    public_names: Iterable[str] = (),
) -> list[Finding]:
    """Personal data found in `text`, non-overlapping, in order. `names` and `addresses` are the submitter's
    own (matched anywhere, without regard to case or diacritics); `contacts` their phone and e-mail. Other
    people's names, numbers and addresses are found by their shape and the words around them.
    `public_names` are names their owner chose to show: a name found that is one of them, or part of one
    ("ông An" for "Nguyễn Văn An"), is not proposed."""
    text = normalize(text)
    folded = _fold(text)
    found: list[Finding] = []
    for phrase_kind, phrase in _known_phrases(names, addresses, contacts):
        found += _find_phrase(text, phrase, phrase_kind)
    found += _contact_details(text)
    for kind, regex in _CONTEXT_RES:
        found += [Finding(kind, text[m.start(1) : m.end(1)], m.start(1), m.end(1)) for m in regex.finditer(folded)]
    for kind, regex in _SHAPE_RES:
        found += [Finding(kind, m.group(), m.start(), m.end()) for m in regex.finditer(text)]
    for regex in _ADDRESS_RES:
        for m in regex.finditer(text):
            if regex is _ADDRESS_RES[2] and _NUMBER_CONTEXT.search(text[max(0, m.start() - 15) : m.start()]):
                continue
            if _OFFICE_BEFORE.search(folded[max(0, m.start() - 25) : m.start()]):
                continue
            found.append(Finding(ADDRESS, m.group().strip(" ,"), *_stripped_span(m, " ,")))
    found += [Finding(ADDRESS, m.group(), m.start(), m.end()) for m in _HAMLET_RE.finditer(text)]
    found += _names(text, folded)
    shown = [f" {vn_fold(n)} " for n in public_names if n.strip()]
    if shown:
        found = [f for f in found if f.kind != NAME or not any(f" {vn_fold(f.text)} " in n for n in shown)]
    return _without_overlaps(found)


def _names(text: str, folded: str) -> list[Finding]:
    """Other people's names: after a form of address, or a family name followed by name words; never a
    place, a street or school named after a historical figure, or a title ("ông Chủ tịch")."""
    found = []
    # Titles typed without diacritics ("ong Chu tich") are recognised only in text typed that way: in
    # accented text "Ba" is a name ("chú Ba Bình"), not "Bà".
    unaccented = not any(ch in ACCENTED for ch in text)
    for regex in (_ADDRESSED_NAME_RE, _FULL_NAME_RE, _CAPS_NAME_RE):
        for m in regex.finditer(text):
            start, end = m.start(1), m.end(1)
            words = folded[start:end].split()
            first = text[start:end].split()[0].lower()
            titled = first in _TITLE_WORDS or (unaccented and words[0] in _FOLDED_TITLE_WORDS)
            if regex is _ADDRESSED_NAME_RE and titled:
                continue
            honorific = text[m.start() : start].strip().lower()
            if regex is _ADDRESSED_NAME_RE and not unaccented and honorific not in _HONORIFICS:
                continue  # "Chu", "Ba" in accented text are a family name and a number, not "chú", "bà"
            whole = folded[m.start() : end]
            if _is_place(" ".join(words)) or _is_place(whole) or whole in _FAMOUS or " ".join(words) in _FAMOUS:
                continue
            if regex is _FULL_NAME_RE and _PLACE_BEFORE.search(folded[max(0, start - 30) : start]):
                continue
            if regex is _FULL_NAME_RE and words[0] in _AMBIGUOUS_FAMILY and len(words) < 3:
                continue
            found.append(Finding(NAME, text[start:end], start, end))
    return found


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Folded names of provinces and communes (2025 reform), without "Tỉnh", "Phường"...: "ha noi", "ba ria"."""
    from vietnam_provinces import Province, Ward

    prefix = re.compile(r"^(?:thanh pho|tinh|phuong|xa|dac khu|thi tran|thi xa)\s+")
    names = {prefix.sub("", vn_fold(p.name)) for p in Province.iter_all()}
    names |= {prefix.sub("", vn_fold(w.name)) for w in Ward.iter_all()}
    return frozenset(n for n in names if not n.isdigit())


def _is_place(folded_words: str) -> bool:
    places = _place_names()
    # Exactly: "Hà Nội", "Bà Rịa". Prefixes would be wrong: "Đinh Công Lực" is a man, "Định Công" a ward.
    return folded_words in places


def _contact_details(text: str) -> list[Finding]:
    """E-mail addresses, social network pages, ID numbers and phone numbers: the personal data with a fixed
    shape."""
    found = [Finding(EMAIL, m.group(), m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]
    for m in _SOCIAL_RE.finditer(text):
        if not _OFFICIAL_PAGE_BEFORE.search(_fold(text[max(0, m.start() - 40) : m.start()])):
            found.append(Finding(OTHER, m.group(), m.start(), m.end()))
    # ID numbers before phones: a tie at the same place goes to the earlier kind.
    for regex in _ID_RES:
        found += [Finding(ID_NUMBER, m.group(), m.start(), m.end()) for m in regex.finditer(text)]
    for regex in _PHONE_RES:
        found += [Finding(PHONE, m.group().strip(), *_stripped_span(m)) for m in regex.finditer(text)]
    for match in phonenumbers.PhoneNumberMatcher(text, "VN", leniency=phonenumbers.Leniency.VALID):
        if phonenumbers.number_type(match.number) not in _PUBLIC_PHONE_TYPES:
            found.append(Finding(PHONE, match.raw_string, match.start, match.end))
    return found


def phone_e164(raw: str) -> str:
    """A Vietnamese phone number as typed ("0912 345 678", "(+84) 912.345.678") in E.164 ("+84912345678"),
    or "" if it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def redact_contact_details(text: str) -> str:
    """`text` with e-mail addresses, ID numbers and phone numbers hidden, nothing else: for logs and error
    reports, where the address and name heuristics would damage messages that are not prose."""
    return apply(text, [(f.kind, f.text) for f in _without_overlaps(_contact_details(normalize(text)))])


def apply(text: str, phrases: Sequence[tuple[str, str] | tuple[str, str, int | None]]) -> str:
    """`text` with occurrences of each (kind, phrase) replaced by its marker: every occurrence, or only the
    n-th (counted from 1, as count_occurrences counts) when a third element n is given. Matching ignores case,
    diacritics and the amount of white space; a phrase only matches whole words; a one-word name hidden
    everywhere only after a form of address ("ông An", not "an toàn")."""
    text = normalize(text)
    spans: list[Finding] = []
    for entry in phrases:
        kind, phrase = entry[0], entry[1]
        occurrence = entry[2] if len(entry) > 2 else None  # type: ignore[misc]
        if occurrence is None:
            matches = _find_phrase(text, phrase, kind)
        else:  # a reviewer pointed at this very word: no form of address needed before a one-word name
            found = _find_phrase(text, phrase, OTHER)[occurrence - 1 : occurrence] if occurrence >= 1 else []
            matches = [Finding(kind, f.text, f.start, f.end) for f in found]
        spans += matches
    out, pos = [], 0
    for span in _without_overlaps(spans):
        out.append(text[pos : span.start])
        out.append(marker(span.kind))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def count_occurrences(text: str, phrase: str) -> int:
    """How many times `phrase` appears in `text` as whole words (case and diacritics ignored): the occurrences
    apply() numbers."""
    return len(_find_phrase(normalize(text), phrase, OTHER))


def redact(text: str, *, names: Iterable[str] = (), addresses: Iterable[str] = (), contacts: Iterable[str] = ()) -> str:
    """`text` with everything `detect()` finds hidden (and repeated occurrences of it)."""
    findings = detect(text, names=names, addresses=addresses, contacts=contacts)
    return apply(text, [(f.kind, f.text) for f in findings])


def _known_phrases(names: Iterable[str], addresses: Iterable[str], contacts: Iterable[str]) -> list[tuple[str, str]]:
    phrases: list[tuple[str, str]] = []
    for name in names:
        words = name.split()
        if not words:
            continue
        if len(words) >= 2:  # one word ("Hoa") is too often an ordinary word to hide everywhere
            phrases.append((NAME, " ".join(words)))
        if len(words) >= 3:
            phrases.append((NAME, f"{words[0]} {words[-1]}"))  # "Nguyễn An" for "Nguyễn Văn An"
            phrases.append((NAME, " ".join(words[-2:])))  # "Văn An"
        phrases.append((NAME, words[-1]))  # one word: hidden only after a form of address (_find_phrase)
    for address in addresses:
        address = " ".join(address.split()).strip(" ,")
        if not address:
            continue
        phrases.append((ADDRESS, address))
        first = address.split(",")[0].strip()
        if first != address and any(ch.isdigit() for ch in first):
            phrases.append((ADDRESS, first))
    for contact in contacts:
        contact = contact.strip()
        if contact:
            phrases.append((EMAIL if "@" in contact else PHONE, contact))
    return phrases


def _fold(text: str) -> str:
    folded = vn_fold(text)
    if len(folded) == len(text):
        return folded
    # Some rare letters change length when lower-cased; keep positions aligned with the original.
    return "".join(f if len(f := vn_fold(ch)) == 1 else ch for ch in text)


def _find_phrase(text: str, phrase: str, kind: str) -> list[Finding]:
    """Occurrences of `phrase` in `text` as whole words. A one-word name is a name only after a form of
    address ("ông An", "chị Hoa"): elsewhere it is an ordinary word (an toàn, hoa quả), and the honorific
    itself stays visible."""
    words = _fold(normalize(phrase)).split()
    if not words:
        return []
    body = r"\s+".join(re.escape(word) for word in words)
    prefix = rf"(?<!\w){_FOLDED_HONORIFICS}\s+" if kind == NAME and len(words) == 1 else r"(?<!\w)"
    pattern = re.compile(rf"{prefix}({body})(?!\w)")
    folded = _fold(text)
    return [Finding(kind, text[m.start(1) : m.end(1)], m.start(1), m.end(1)) for m in pattern.finditer(folded)]


def _stripped_span(match: re.Match[str], chars: str | None = None) -> tuple[int, int]:
    raw = match.group()
    start = match.start() + (len(raw) - len(raw.lstrip(chars)))
    end = match.end() - (len(raw) - len(raw.rstrip(chars)))
    return start, end


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """Earlier-listed kinds win a tie; otherwise the longest span at a place wins."""
    chosen: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if chosen and finding.start < chosen[-1].end:
            if finding.end > chosen[-1].end and finding.end - finding.start > chosen[-1].end - chosen[-1].start:
                chosen[-1] = finding
            continue
        chosen.append(finding)
    return chosen
