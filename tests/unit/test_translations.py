"""Vietnamese is the default language: every message has a translation, and the compiled catalogue that
Django loads says the same as the source catalogue that translators edit."""

import gettext
import re
from pathlib import Path

from django.conf import settings

VI = Path(settings.BACKEND_DIR) / "locale" / "vi" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(#, .*\n)?(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?'
    r'((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)',
    re.M,
)


def _text(quoted: str) -> str:
    return "".join(re.findall(r'^"(.*)"$', quoted, re.M)).encode().decode("unicode_escape").encode("latin-1").decode()


def entries() -> list[tuple[str, str, str]]:
    return [(flags, msgid, msgstr) for flags, _context, msgid, msgstr in entries_in_context()]


def entries_in_context() -> list[tuple[str, str, str, str]]:
    """(flags, msgctxt or "", msgid, msgstr) of every entry but the header."""
    source = (VI / "django.po").read_text(encoding="utf-8")
    found = []
    for flags, context, msgid, msgstr in ENTRY.findall(source):
        first = re.match(r'msgstr(?:\[0\])? ((?:".*"\n)+)', msgstr)
        found.append(
            (
                flags or "",
                _text(context + "\n") if context else "",
                _text(msgid),
                _text(first.group(1)) if first else "",
            )
        )
    return [entry for entry in found if entry[2]]  # the header has an empty msgid


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = entries()
    assert len(catalogue) > 300
    assert [msgid for flags, msgid, _ in catalogue if "fuzzy" in flags] == []
    assert [msgid for _, msgid, msgstr in catalogue if not msgstr] == []


def test_the_compiled_catalogue_matches_the_source():
    with (VI / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    def compiled(context: str, msgid: str) -> str:
        return translations.pgettext(context, msgid) if context else translations.gettext(msgid)

    stale = [
        msgid
        for _, context, msgid, msgstr in entries_in_context()
        if "%" not in msgid and compiled(context, msgid) != msgstr
    ]
    assert stale == [], "run `make messages` (compilemessages) after editing django.po"


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    broken = [
        msgid
        for _, msgid, msgstr in entries()
        if sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(msgstr))
    ]
    assert broken == []
