"""Vietnamese text folding shared by routing, search and tests.

`vn_fold` must agree with the SQL function `vn_unaccent()` created in core's migration; a test checks
every Vietnamese letter against both.
"""

from __future__ import annotations

import unicodedata

# Lower- and upper-case Vietnamese letters with diacritics, and their bare forms, in the same order as
# the SQL translate() in migrations/0001_vn_unaccent.py.
ACCENTED = (
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
    "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ"
)
BARE = (
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "AAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD"
)
_TABLE = str.maketrans(ACCENTED, BARE)


def normalize(text: str) -> str:
    """NFC form: browsers and phones send Vietnamese both precomposed and decomposed."""
    return unicodedata.normalize("NFC", text)


def vn_fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics: "Đất đai" → "dat dai"."""
    return normalize(text).translate(_TABLE).lower()
