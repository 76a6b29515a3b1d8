"""Message templates: Django template syntax over a small, fixed set of plain-text variables.

    {{ title }}   the published item's title, or the dialogue's title
    {{ agency }}  the agency's name
    {{ link }}    the public page (absolute); Facebook and Zalo also attach it on their own
    {{ date }}    the publication date, or the day the dialogue starts (dd/mm/yyyy, Vietnam time)
    {{ time }}    the publication time, or the time the dialogue starts (HH:MM, Vietnam time)

Rendered without HTML escaping (posts are plain text). Templates are checked when saved: a syntax error, an
unknown variable, an included file or an empty result is refused with a message saying which.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

VARIABLES = ("title", "agency", "link", "date", "time")
TEMPLATE_MAX_CHARS = 1000
MESSAGE_MAX_CHARS = 2000
_UNKNOWN = "\x00unknown:%s\x00"
_UNKNOWN_RE = re.compile("\x00unknown:(.*?)\x00")

# No loaders, no extra libraries: a template can only format the variables it is given.
_rendering = Engine(autoescape=False, libraries={}, loaders=[])
_checking = Engine(autoescape=False, libraries={}, loaders=[], string_if_invalid=_UNKNOWN)


@dataclass(frozen=True)
class Variables:
    title: str
    agency: str
    link: str
    date: str
    time: str

    @classmethod
    def at(cls, moment: dt.datetime | None, *, title: str, agency: str, link: str) -> Variables:
        local = timezone.localtime(moment) if moment is not None else None
        return cls(
            title=title,
            agency=agency,
            link=link,
            date=local.strftime("%d/%m/%Y") if local else "",
            time=local.strftime("%H:%M") if local else "",
        )


SAMPLE = Variables(
    title="Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    agency="Sở Nông nghiệp và Môi trường Hà Nội",
    link="https://caunoi.example.gov.vn/hoi-dap/thu-tuc-cap-so-do/",
    date="21/12/2026",
    time="09:00",
)


class TemplateInvalid(ValueError):
    """The template cannot be used; the message says why, for the person who wrote it."""


def render_message(source: str, variables: Variables) -> str:
    """The post's text. The template was checked when saved; at most MESSAGE_MAX_CHARS characters."""
    text = _rendering.from_string(source).render(Context(asdict(variables), autoescape=False)).strip()
    if len(text) > MESSAGE_MAX_CHARS:
        text = text[: MESSAGE_MAX_CHARS - 1].rstrip() + "…"
    return text


def check_template(source: str) -> None:
    """Raises TemplateInvalid unless `source` renders, uses only VARIABLES, and yields some text."""
    if len(source) > TEMPLATE_MAX_CHARS:
        raise TemplateInvalid(_("Keep the template under %(count)d characters.") % {"count": TEMPLATE_MAX_CHARS})
    try:
        text = _checking.from_string(source).render(Context(asdict(SAMPLE), autoescape=False))
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(_("The template has a syntax error: %(error)s") % {"error": exc}) from exc
    except Exception as exc:
        # Includes, {% url %} and the like fail only when rendered: a template may use none of them.
        raise TemplateInvalid(_("The template cannot be rendered: %(error)s") % {"error": exc}) from exc
    unknown = sorted(set(_UNKNOWN_RE.findall(text)))
    if unknown:
        raise TemplateInvalid(
            _("Unknown variable: %(unknown)s. Use only: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(VARIABLES)}
        )
    if "{{" in text or "{%" in text:
        # Django leaves a tag it cannot parse as text: it would be posted as "{{ title".
        raise TemplateInvalid(
            _("The template has a syntax error: a tag is not closed (every {{ needs }}, every {% needs %}).")
        )
    if not text.strip():
        raise TemplateInvalid(_("The template gives an empty message."))
