"""Finding and hiding personal data in texts about to be published. Pure: no database, no settings.

`detect()` proposes what to hide (phone numbers, e-mail addresses, citizen ID numbers, the submitter's own
name and address, house-number addresses); `apply()` hides phrases wherever they appear, without regard to
case or Vietnamese diacritics, replacing each with a visible marker ("[đã ẩn: số điện thoại]") so a reader
knows something was removed. A reviewer's decisions are phrases too, so one rule covers both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from caunoi.core.text import ACCENTED, normalize, vn_fold

PHONE, EMAIL, ID_NUMBER, NAME, ADDRESS, OTHER = "phone", "email", "id_number", "name", "address", "other"

_UPPER = "A-Z" + ACCENTED[len(ACCENTED) // 2 :]
_CAP_WORD = rf"[{_UPPER}][^\W\d_]*"
# Words that start legal references or institutions, not street names ("Điều 12 Luật Đất đai").
# Words that start legal references, offices and titles, not street names ("Điều 12 Luật Đất đai",
# "3 Phó Chủ tịch"). Street names that begin like an office ("Trường Chinh", "Văn Cao") are left possible.
_NOT_STREET = (
    r"(?!(?:Luật|Nghị|Thông|Quyết|Bộ|Sở|Ủy|Uỷ|UBND|HĐND|Chương|Điều|Mục|Khoản|Phụ|Phó|Chủ|Phòng|Ban|Công|"
    r"Cục|Tổng|Hội|Đảng|Bệnh|Trung|Viện|Tòa|Toà|Quốc|Chính|Giấy|Hộ|Tháng|Ngày|Năm|Học|Giáo|Người|Cán|"
    r"Đoàn|Hợp|Doanh|Ngân|Xã|Phường|Quận|Huyện|Tỉnh|Thị|Đơn|Tờ|Bản|Lớp|Khối|Tổ|Đội)\b)"
)
_STREET_NAME = rf"{_NOT_STREET}{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,3}}"
_HOUSE_NO = r"\d{1,4}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?)*"
_LANE = rf"(?:,?\s*(?:ngõ|ngách|hẻm|kiệt|Ngõ|Ngách|Hẻm|Kiệt)\s+(?:số\s+)?{_HOUSE_NO})"
_STREET = rf"(?:,?\s*(?:phố|đường|Phố|Đường)\s+{_STREET_NAME})"

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_SEP = r"[\s.\-]?"
_PHONE_RES = [
    # Mobile: 0 or +84 / (+84) / 0084 / 84, then 3/5/7/8/9 and eight more digits, any single separators.
    re.compile(rf"(?<![\w+])(?:\(\+84\)|\+84|0084|84|0){_SEP}[35789](?:{_SEP}\d){{8}}(?!\d)"),
    # Landline: 0 + 2x area code, eleven digits with the 0; the area code may be in brackets.
    re.compile(rf"(?<![\w+(])(?:(?:\(\+84\)|\+84)\s?\(?|\(?0)2\d(?:\)?{_SEP}\d){{8}}(?!\d)"),
]
_ID_RES = [
    re.compile(r"(?<![\d.,/])\d{12}(?![\d/]|[.,]\d)"),  # CCCD
    re.compile(r"(?<![\d.,/])\d{3}(?: \d{3}){3}(?![\d/]|[.,]\d)"),  # CCCD written in groups
    re.compile(r"(?<![\d.,/])\d{9}(?![\d/]|[.,]\d)"),  # CMND
]
_ADDRESS_RES = [
    # "số 12 ngõ 34 phố Huế", "nhà số 5, ngách 2/7 đường Lê Lợi"
    re.compile(
        rf"(?<!\w)(?:[Ss]ố nhà|[Nn]hà số|[Ss]ố)\s+{_HOUSE_NO}"
        rf"(?:{_LANE}+{_STREET}?|{_LANE}*(?:{_STREET}|,?\s+{_STREET_NAME}))"
    ),
    # "ngõ 34 phố Huế", "hẻm 45/2 đường Lê Văn Sỹ"
    re.compile(rf"(?<!\w)(?:ngõ|ngách|hẻm|kiệt|Ngõ|Ngách|Hẻm|Kiệt)\s+{_HOUSE_NO}{_LANE}*{_STREET}?"),
    # "123 Nguyễn Trãi", "45B đường Trần Phú", "12/3 Lê Lợi"
    re.compile(rf"(?<![\w/.,])(?<!\d\s){_HOUSE_NO}{_LANE}*(?:{_STREET}|\s+{_STREET_NAME})"),
]
# A number after these words is a legal reference, a date or a count, not a house number.
_NUMBER_CONTEXT = re.compile(
    r"(?:điều|khoản|điểm|chương|mục|năm|ngày|tháng|số|phụ lục|nghị định|thông tư|quyết định|luật|"
    r"tổ|khu|lớp|phòng|tầng|giờ|trang|tuổi|lần|đợt|bước|quý|có|gồm|hơn|khoảng|dưới|gần|những|các|mỗi|"
    r"thêm|tổng cộng)\s*$",
    re.IGNORECASE,
)
_HONORIFICS = ("ông", "bà", "anh", "chị", "cô", "chú", "bác", "em", "cháu", "cụ")
_FOLDED_HONORIFICS = "(?:" + "|".join(vn_fold(h) for h in _HONORIFICS) + ")"


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
    }
    return gettext("[hidden: %(what)s]") % {"what": labels.get(kind, gettext("personal information"))}


def detect(
    text: str, *, names: Iterable[str] = (), addresses: Iterable[str] = (), contacts: Iterable[str] = ()
) -> list[Finding]:
    """Personal data found in `text`, non-overlapping, in order. `names` and `addresses` are the submitter's
    own (matched anywhere, without regard to case or diacritics); `contacts` their phone and e-mail."""
    text = normalize(text)
    found: list[Finding] = []
    for phrase_kind, phrase in _known_phrases(names, addresses, contacts):
        found += _find_phrase(text, phrase, phrase_kind)
    found += [Finding(EMAIL, m.group(), m.start(), m.end()) for m in _EMAIL_RE.finditer(text)]
    # ID numbers before phones: a tie at the same place goes to the earlier kind.
    for regex in _ID_RES:
        found += [Finding(ID_NUMBER, m.group(), m.start(), m.end()) for m in regex.finditer(text)]
    for regex in _PHONE_RES:
        found += [Finding(PHONE, m.group().strip(), *_stripped_span(m)) for m in regex.finditer(text)]
    for regex in _ADDRESS_RES:
        for m in regex.finditer(text):
            if regex is _ADDRESS_RES[2] and _NUMBER_CONTEXT.search(text[max(0, m.start() - 15) : m.start()]):
                continue
            found.append(Finding(ADDRESS, m.group().strip(" ,"), *_stripped_span(m, " ,")))
    return _without_overlaps(found)


def apply(text: str, phrases: Sequence[tuple[str, str]]) -> str:
    """`text` with every occurrence of each (kind, phrase) replaced by its marker. Matching ignores case,
    diacritics and the amount of white space; a phrase only matches whole words."""
    text = normalize(text)
    spans: list[Finding] = []
    for kind, phrase in phrases:
        spans += _find_phrase(text, phrase, kind)
    out, pos = [], 0
    for span in _without_overlaps(spans):
        out.append(text[pos : span.start])
        out.append(marker(span.kind))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


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
