"""Restricted words: a dialogue's own list and those of its agency and the agencies above it. A question that
contains one is held apart on the moderation desk for a careful look (it is never approved by accident with a
keystroke); it is not refused: the moderator decides."""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.core.errors import ValidationFailed
from caunoi.core.text import normalize, vn_fold
from caunoi.core.transactions import service_transaction

from ..models import Dialogue, RestrictedWords

MAX_WORDS_CHARS = 5000


def restricted_words_of(dialogue: Dialogue) -> list[str]:
    """The words and phrases in force for `dialogue`, as written, without duplicates."""
    ancestors = [int(part) for part in dialogue.agency.path.strip("/").split("/") if part.isdigit()]
    lists = RestrictedWords.objects.filter(Q(dialogue=dialogue) | Q(agency_id__in=ancestors)).values_list(
        "words", flat=True
    )
    words = (line.strip() for text in lists for line in text.splitlines())
    return list(dict.fromkeys(word for word in words if word))


def restricted_words_in(dialogue: Dialogue, text: str) -> list[str]:
    """The restricted words found in `text` as whole words, without regard to case or diacritics."""
    folded = vn_fold(text)
    found = []
    for word in restricted_words_of(dialogue):
        if re.search(rf"(?<!\w){re.escape(vn_fold(word))}(?!\w)", folded):
            found.append(word)
    return found


@service_transaction
def restricted_words_set(*, dialogue_id: int, words: str, by: User) -> list[str]:
    """Replaces the dialogue's own list (one word or phrase per line; blank clears it). Questions asked from
    now on are checked against it with the agency's lists. Returns the dialogue's words."""
    lines = list(dict.fromkeys(line.strip() for line in normalize(words).splitlines() if line.strip()))
    text = "\n".join(lines)
    if len(text) > MAX_WORDS_CHARS:
        raise ValidationFailed({"words": [str(_("At most %(count)d characters.") % {"count": MAX_WORDS_CHARS})]})
    if lines:
        RestrictedWords.objects.update_or_create(dialogue_id=dialogue_id, agency=None, defaults={"words": text})
    else:
        RestrictedWords.objects.filter(dialogue_id=dialogue_id, agency=None).delete()
    return lines


def dialogue_words(dialogue: Dialogue) -> str:
    """The dialogue's own list as a moderator edits it."""
    return RestrictedWords.objects.filter(dialogue=dialogue, agency=None).values_list("words", flat=True).first() or ""
