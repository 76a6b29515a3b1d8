"""Pure pieces of ranking and explaining: reciprocal rank fusion and the words two texts share.

Reciprocal rank fusion (Cormack et al., 2009) adds 1/(K + rank) over every list an object appears in: it
needs no calibration between a cosine similarity and a trigram score, and an object found by both the
meaning and the words comes first."""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Iterable, Sequence

from caunoi.core.text import vn_fold

RRF_K = 60
_WORD = re.compile(r"[^\W_]+")

# Syllables too common in questions to explain anything ("tôi", "cho hỏi", "thủ tục", "như thế nào"), folded.
STOP_SYLLABLES = frozenset(
    [
        "a",
        "ah",
        "ai",
        "anh",
        "ba",
        "bao",
        "bi",
        "bo",
        "cac",
        "cai",
        "can",
        "cho",
        "chi",
        "co",
        "con",
        "cua",
        "cung",
        "da",
        "dang",
        "day",
        "de",
        "den",
        "di",
        "duoc",
        "gi",
        "gia",
        "giup",
        "hai",
        "hay",
        "hoi",
        "khi",
        "khong",
        "kinh",
        "la",
        "lai",
        "lam",
        "len",
        "luc",
        "ma",
        "minh",
        "mot",
        "muon",
        "nao",
        "nay",
        "neu",
        "nguoi",
        "nhu",
        "nhung",
        "nhieu",
        "noi",
        "o",
        "oi",
        "ong",
        "phai",
        "qua",
        "ra",
        "rang",
        "roi",
        "sao",
        "se",
        "tai",
        "thang",
        "the",
        "thi",
        "thu",
        "toi",
        "tren",
        "trong",
        "tu",
        "tuc",
        "va",
        "vao",
        "ve",
        "vi",
        "voi",
        "xin",
        "xa",
    ]
)


def fuse(rankings: Iterable[Sequence[Hashable]], *, bonus: dict[Hashable, float] | None = None) -> list[Hashable]:
    """Keys of every ranking, best first by reciprocal rank fusion plus `bonus` (signals such as the same
    agency); ties keep the order in which keys were first seen."""
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (RRF_K + rank)
    for key, extra in (bonus or {}).items():
        if key in scores:
            scores[key] += extra
    order = {key: i for i, key in enumerate(scores)}
    return sorted(scores, key=lambda key: (-scores[key], order[key]))


def rrf_scores(rankings: Sequence[Sequence[Hashable]], *, weights: Sequence[float] = ()) -> dict[Hashable, float]:
    """Each key's fused score: the sum over rankings of weight / (K + rank); weights default to 1."""
    scores: dict[Hashable, float] = {}
    for n, ranking in enumerate(rankings):
        weight = weights[n] if n < len(weights) else 1.0
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (RRF_K + rank)
    return scores


def _syllables(text: str) -> list[tuple[str, str]]:
    """(as written, folded) for each word."""
    return [(word, vn_fold(word)) for word in _WORD.findall(text)]


def as_written(text: str, folded_phrases: Sequence[str]) -> list[str]:
    """Each folded phrase ("giay chung nhan") as `text` writes it ("giấy chứng nhận"), lower-cased: models
    match folded words, so a text typed with or without diacritics counts alike, but a person reads the
    words as they were written. A phrase not found in `text` stays folded."""
    words = _syllables(text)
    written: dict[str, str] = {}
    for size in {len(phrase.split()) for phrase in folded_phrases}:
        for i in range(len(words) - size + 1):
            window = words[i : i + size]
            written.setdefault(" ".join(f for _w, f in window), " ".join(w for w, _f in window).lower())
    return [written.get(phrase, phrase) for phrase in folded_phrases]


def shared_words(query: str, other: str, *, limit: int = 5) -> list[str]:
    """Words of `other` (as written there) that `query` also has, diacritics ignored: two-syllable words first
    ("sổ đỏ"), then single syllables that are not among the commonest. What a person reads as "why"."""
    mine = [folded for _word, folded in _syllables(query)]
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(mine)}
    singles = set(mine)
    theirs = _syllables(other)
    found: list[str] = []
    seen: set[str] = set()
    used: set[int] = set()
    for i in range(len(theirs) - 1):
        folded = f"{theirs[i][1]} {theirs[i + 1][1]}"
        if i in used or folded not in pairs or folded in seen:
            continue
        if not {theirs[i][1], theirs[i + 1][1]} & STOP_SYLLABLES:
            seen.add(folded)
            used.update((i, i + 1))
            found.append(f"{theirs[i][0]} {theirs[i + 1][0]}".lower())
    for i, (word, folded) in enumerate(theirs):
        if i in used or folded in seen or folded in STOP_SYLLABLES or len(folded) < 2 or folded not in singles:
            continue
        if any(folded in phrase.split() for phrase in seen):
            continue
        seen.add(folded)
        found.append(word.lower())
    return found[:limit]
