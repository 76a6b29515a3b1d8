"""Length limits that are said, never applied silently.

Browsers cut a pasted text at an input's `maxlength` without a word, so forms carry no `maxlength` on free
text: the limit is checked here, and a text over it is refused with a message naming the limit and the number
of characters written, in the request's language (the character count, js/character-count.js, says the same
while typing).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.formats import get_format
from django.utils.translation import gettext
from rest_framework import serializers


def grouped(number: int) -> str:
    """10000 → "10.000" in Vietnamese, "10,000" in English (Django's Vietnamese formats name the separator
    but no grouping size, so number_format would not group)."""
    return f"{number:,}".replace(",", get_format("THOUSAND_SEPARATOR"))


@deconstructible
class TextLimit:
    """Refuses a text longer than `limit` characters, saying the limit and how many were written."""

    code = "max_length"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> None:
        count = len(value)
        if count > self.limit:
            message = gettext("Write at most %(limit)s characters. You wrote %(count)s.") % {
                "limit": grouped(self.limit),
                "count": grouped(count),
            }
            raise ValidationError(message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextLimit) and other.limit == self.limit


class LimitedCharField(serializers.CharField):
    """A CharField whose `max_length` is checked by TextLimit (the schema still states it as maxLength)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)
        kept = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.validators = [*kept, TextLimit(max_length)]
