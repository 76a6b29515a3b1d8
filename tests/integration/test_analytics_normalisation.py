"""What a search is counted as, and which User-Agents are not counted."""

from __future__ import annotations

import pytest
from caunoi.analytics.normalise import fold_term, is_bot, normalise_query


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("Đất Đai", "đất đai"),
        ("  đất \t\n đai  ", "đất đai"),
        ('"đất đai"?!', "đất đai"),
        ("...sổ đỏ…", "sổ đỏ"),
        ("=HYPERLINK(1)", "hyperlink(1)"),
        ('-"thừa kế"', "thừa kế"),
        ('sổ đỏ -"thừa kế"', 'sổ đỏ -"thừa kế'),
        ("C++", "c"),
        ("Sổ đỏ (2024)?", "sổ đỏ (2024)"),
        ("(2024) sổ đỏ", "(2024) sổ đỏ"),
        ("?!", ""),
        ("dat dai", "dat dai"),
        ("Đa\u0301t", "đát"),  # decomposed input is composed (NFC)
    ],
)
def test_queries_are_normalised(typed, counted):
    assert normalise_query(typed) == counted


def test_queries_are_capped_at_200_characters():
    assert normalise_query("đất đai " * 100) == ("đất đai " * 25).rstrip()  # 200 characters, end space dropped
    assert not normalise_query("đất " * 60).endswith(" ")


def test_the_folded_form_groups_spellings():
    assert fold_term(normalise_query("Đất Đai")) == fold_term("dat dai") == "dat dai"


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0", False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari", False),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)", True),
        ("Zalo (link preview)", True),
        ("Wget/1.21", True),
        ("", True),
    ],
)
def test_bots_are_told_by_their_user_agent(agent, bot):
    assert is_bot(agent) is bot
