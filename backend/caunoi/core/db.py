"""The project's own SQL functions as ORM expressions."""

from django.db.models import Func, TextField


class VnUnaccent(Func):
    """`vn_unaccent()` (core migration 0001): lower case, no Vietnamese marks; the SQL twin of text.vn_fold.
    IMMUTABLE, so it may appear in indexes and generated columns."""

    function = "vn_unaccent"
    output_field = TextField()
