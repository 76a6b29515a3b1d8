"""Charts drawn on the server as SVG: readable without JavaScript, and accessible.

Each chart is drawn twice: wide (columns by month) and narrow (one horizontal bar a line, labels above the
bars), for a phone's 343 px; the stylesheet shows the one that fits, so a phone never scrolls to find the
data. Numbers are written as the page's language writes them (numbers.py), on axes as in tables.

Each chart is an <svg role="img"> with a <title> and a <desc> that says what it shows; every bar carries its
value as text, and the second series of a grouped chart differs by pattern (hatching) as well as colour,
so nothing is said by colour alone. The page puts the same numbers in a table under each chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .numbers import number_text, percent_text
from .series import Month

WIDTH = 640
PLOT_TOP, PLOT_BOTTOM, LEFT = 28, 230, 48
HEIGHT = 270
BLUE, DARK, RED, GREY = "#1d4f91", "#0b0c0c", "#b10e1e", "#505a5f"


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    value: float
    label: str  # the text printed on or above the bar


def month_label(month: dt.date) -> str:
    return date_format(month, "m/Y")


NARROW = 340  # a phone's content box (343 px at 375 px wide), drawn at about 1:1
NARROW_BAR = NARROW - 80  # room on the right of the longest bar for its value


def _axis_month(month: dt.date, short: bool) -> str:
    """A month under its column: "07/2026", or "07/26" when twelve columns share the width."""
    return date_format(month, "m/y") if short else month_label(month)


def _svg(
    chart_id: str, title: str, desc: str, body: str, height: int = HEIGHT, *, width: int = WIDTH, shape: str = "wide"
) -> SafeString:
    return format_html(
        '<svg class="chart chart--{shape}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-family="inherit" font-size="14">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        shape=shape,
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
        body=mark_safe(body),  # noqa: S308 - built below from format_html only
    )


def _axis(maximum: float, suffix: str = "") -> str:
    """Horizontal grid lines at 0, ½ and the maximum, with their values."""
    lines = []
    for fraction in (0, 0.5, 1):
        y = PLOT_BOTTOM - fraction * (PLOT_BOTTOM - PLOT_TOP)
        value = maximum * fraction
        decimals = 0 if value == int(value) else 1
        text = percent_text(value, 0) if suffix == "%" else number_text(value, decimals)
        lines.append(
            format_html(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="1"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" fill="{t}">{text}</text>',
                x1=LEFT,
                x2=WIDTH - 8,
                y=round(y, 1),
                c="#b1b4b6",
                tx=LEFT - 6,
                ty=round(y + 5, 1),
                t=DARK,
                text=text,
            )
        )
    return "".join(lines)


def _month_slots(months: Sequence[Month], groups: int) -> list[float]:
    slot = (WIDTH - LEFT - 8) / max(len(months), 1)
    return [LEFT + slot * index for index in range(len(months))] + [slot]


def on_time_chart(months: Sequence[Month]) -> SafeString:
    """Bars of the on-time rate per month (0–100 %); a month with no answers says so in words."""
    *starts, slot = _month_slots(months, 1)
    parts = [_axis(100, "%")]
    crowded = len(months) > 6  # a year's twelve columns: short labels, so that neighbours never overlap
    for start, month in zip(starts, months, strict=True):
        centre = start + slot / 2
        parts.append(_x_label(centre, _axis_month(month.month, crowded)))
        if month.on_time_rate is None:
            parts.append(format_html('<text x="{x}" y="{y}" text-anchor="middle" fill="{c}">{t}</text>',
                                     x=round(centre, 1), y=PLOT_BOTTOM - 6, c=GREY,
                                     t="—" if crowded else _("none")))  # fmt: skip
            continue
        percent = month.on_time_rate * 100
        label = percent_text(percent, 0 if crowded else 1)
        parts.append(_bar(start + slot * 0.2, slot * 0.6, percent / 100, label, BLUE, None))
    summary = "; ".join(
        f"{month_label(m.month)}: {'—' if m.on_time_rate is None else percent_text(m.on_time_rate * 100)}"
        for m in months
    )
    title = _("Answered on time, by month")
    narrow = _narrow(
        "chart-on-time-narrow",
        title,
        summary,
        [
            (
                month_label(m.month),
                [(0.0, _("none"), BLUE, None)]
                if m.on_time_rate is None
                else [(m.on_time_rate, percent_text(m.on_time_rate * 100), BLUE, None)],
            )
            for m in months
        ],
    )
    return _pair(_svg("chart-on-time", title, summary, "".join(parts)), narrow)


def backlog_chart(months: Sequence[Month]) -> SafeString:
    """Grouped bars per month: open items (solid) and overdue items (hatched), with a legend in words."""
    *starts, slot = _month_slots(months, 2)
    top = max([m.backlog for m in months] + [1])
    parts = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<rect width="3" height="6" fill="{RED}"/></pattern></defs>',
        _axis(top),
        _legend(),
    ]
    for start, month in zip(starts, months, strict=True):
        parts.append(_x_label(start + slot / 2, _axis_month(month.month, len(months) > 6)))
        width = slot * 0.34
        parts.append(_bar(start + slot * 0.14, width, month.backlog / top, str(month.backlog), BLUE, None))
        parts.append(_bar(start + slot * 0.52, width, month.overdue / top, str(month.overdue), "url(#hatch)", RED))
    summary = "; ".join(
        _("%(month)s: %(open)s open, %(overdue)s overdue")
        % {"month": month_label(m.month), "open": m.backlog, "overdue": m.overdue}
        for m in months
    )
    title = _("Open and overdue items at the end of each month")
    narrow = _narrow(
        "chart-backlog-narrow",
        title,
        summary,
        [
            (
                month_label(m.month),
                [
                    (m.backlog / top, _("%(count)s open") % {"count": m.backlog}, BLUE, None),
                    (m.overdue / top, _("%(count)s overdue") % {"count": m.overdue}, "url(#hatch-narrow)", RED),
                ],
            )
            for m in months
        ],
        defs=parts[0].replace('id="hatch"', 'id="hatch-narrow"'),
    )
    return _pair(_svg("chart-backlog", title, summary, "".join(parts)), narrow)


def category_chart(rows: Sequence[tuple[str, int]]) -> SafeString:
    """Horizontal bars: items received per category, largest first, each with its name and number."""
    rows = sorted(rows, key=lambda row: -row[1])
    return ranked_chart("chart-categories", _("Items received by category"), rows, _("Nothing received."))


def ranked_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int]], empty_text: str, *, label_chars: int = 34
) -> SafeString:
    """One horizontal bar per (label, value), in the order given, each with its label and number; labels
    longer than `label_chars` (about what fits left of the bars) are cut with an ellipsis."""
    top = max([value for _label, value in rows] + [1])
    bar_left, row_height = 250, 30
    height = max(60, 20 + row_height * len(rows))
    parts = []
    for index, (label, value) in enumerate(rows):
        y = 10 + index * row_height
        width = (WIDTH - bar_left - 60) * value / top
        parts.append(
            format_html(
                '<text x="{lx}" y="{ty}" text-anchor="end" fill="{t}">{label}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="20" fill="{c}"/>'
                '<text x="{vx}" y="{ty}" fill="{t}">{value}</text>',
                lx=bar_left - 8,
                ty=y + 15,
                t=DARK,
                label=label if len(label) <= label_chars else label[: label_chars - 1] + "…",
                x=bar_left,
                y=y,
                w=round(max(width, 1), 1),
                c=BLUE,
                vx=round(bar_left + width + 6, 1),
                value=value,
            )
        )
    if not rows:
        parts.append(format_html('<text x="10" y="30" fill="{c}">{t}</text>', c=GREY, t=empty_text))
    summary = "; ".join(f"{label}: {number_text(value)}" for label, value in rows) or empty_text
    narrow = _narrow(
        f"{chart_id}-narrow",
        title,
        summary,
        [(label, [(value / top, number_text(value), BLUE, None)]) for label, value in rows],
        empty_text=empty_text,
    )
    return _pair(_svg(chart_id, title, summary, "".join(parts), height=height), narrow)


def _pair(wide: SafeString, narrow: SafeString) -> SafeString:
    """Both drawings of a chart; the stylesheet shows the one that fits the screen."""
    return mark_safe(wide + narrow)  # noqa: S308 - both built with format_html


def _narrow(
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[tuple[str, Sequence[tuple[float, str, str, str | None]]]],
    *,
    defs: str = "",
    empty_text: str = "",
) -> SafeString:
    """The phone drawing: for each group its label on a line, then one horizontal bar a series (fraction of
    the widest, the value's text after it, fill, stroke)."""
    parts, y = [defs], 4
    for label, bars in groups:
        shown = label if len(label) <= 44 else label[:43] + "…"
        parts.append(format_html('<text x="0" y="{y}" fill="{c}">{t}</text>', y=y + 14, c=DARK, t=shown))
        y += 20
        for fraction, text, fill, stroke in bars:
            width = round(max(NARROW_BAR * max(fraction, 0), 1), 1)
            parts.append(
                format_html(
                    '<rect x="0" y="{y}" width="{w}" height="16" fill="{f}"{s}/>'
                    '<text x="{tx}" y="{ty}" fill="{c}" font-weight="bold">{t}</text>',
                    y=y, w=width, f=fill, s=format_html(' stroke="{}" stroke-width="1"', stroke) if stroke else "",
                    tx=round(width + 6, 1), ty=y + 13, c=DARK, t=text,
                )
            )  # fmt: skip
            y += 22
        y += 8
    if not groups:
        parts.append(format_html('<text x="0" y="20" fill="{c}">{t}</text>', c=GREY, t=empty_text))
        y = 30
    return _svg(chart_id, title, desc, "".join(parts), height=y, width=NARROW, shape="narrow")


def _bar(x: float, width: float, fraction: float, label: str, fill: str, stroke: str | None) -> str:
    height = max(fraction * (PLOT_BOTTOM - PLOT_TOP), 0)
    y = PLOT_BOTTOM - height
    return format_html(
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"{stroke}/>'
        '<text x="{tx}" y="{ty}" text-anchor="middle" fill="{t}" font-weight="bold">{label}</text>',
        x=round(x, 1), y=round(y, 1), w=round(width, 1), h=round(height, 1), fill=fill,
        stroke=format_html(' stroke="{}" stroke-width="1"', stroke) if stroke else "",
        tx=round(x + width / 2, 1), ty=round(y - 5, 1), t=DARK, label=label,
    )  # fmt: skip


def _x_label(centre: float, text: str) -> str:
    return format_html(
        '<text x="{x}" y="{y}" text-anchor="middle" fill="{c}">{t}</text>',
        x=round(centre, 1), y=PLOT_BOTTOM + 20, c=DARK, t=text,
    )  # fmt: skip


def _legend() -> str:
    items = ((BLUE, None, _("Open")), ("url(#hatch)", RED, _("Overdue")))
    return format_html_join(
        "",
        '<rect x="{}" y="4" width="14" height="14" fill="{}" stroke="{}"/><text x="{}" y="16" fill="#0b0c0c">{}</text>',
        (
            (LEFT + 130 * i, fill, stroke or fill, LEFT + 130 * i + 20, text)
            for i, (fill, stroke, text) in enumerate(items)
        ),
    )
