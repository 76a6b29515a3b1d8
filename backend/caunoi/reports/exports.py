"""The report as CSV and XLSX files, and the quarterly report (XLSX with a title page).

Every value is the one `report_as_dict` gives the API, so a file parsed back equals the JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from caunoi.workflows.registry import workflows

from .report import Report, report_as_dict

FIGURE_COLUMNS = (
    "received", "answered", "answered_on_time", "on_time_rate", "overdue_now", "median_days", "p90_days",
    "transfers", "returns", "ratings", "rating_average", "citizen_median_days", "answered_transferred",
    "appeals", "reopen_rate",
)  # fmt: skip
HEADER = ("group", "code", "name", *FIGURE_COLUMNS, *(f"rating_{n}" for n in range(1, 6)), "dialogue_participation")
MONTH_HEADER = ("month", "received", "answered", "answered_on_time", "on_time_rate", "backlog", "overdue")
RANKING_HEADER = (
    "rank", "agency_code", "agency", "answered", "answered_on_time", "on_time_rate", "appeals", "reopen_rate",
)  # fmt: skip
# Decree 224/2026/NĐ-CP, art. 12 asks for automated statistics on completeness and timeliness; the periods
# themselves come from the deadline policy in force.
LEGAL_BASIS = "Nghị định 224/2026/NĐ-CP, Điều 12 (thống kê tự động về tính đầy đủ, kịp thời)"


def scope_label(report: Report) -> str:
    agency = report.scope.agency
    if agency is not None:
        return agency.display_name
    return _("Every agency") if report.scope.everything else _("All your agencies")


def _figure_row(group: str, code: str, name: str, figures: dict[str, Any]) -> list[Any]:
    distribution = figures["rating_distribution"]
    return [
        group,
        code,
        name,
        *(figures[column] for column in FIGURE_COLUMNS),
        *(distribution[str(n)] for n in range(1, 6)),
        figures["dialogue_participation"],
    ]


def figure_rows(report: Report) -> Iterator[list[Any]]:
    """The totals, then one row per kind, then one per category."""
    data = report_as_dict(report)
    yield _figure_row(
        "total", report.scope.agency.code if report.scope.agency else "", scope_label(report), data["figures"]
    )
    labels = report.kind_labels
    for row in data["by_kind"]:
        yield _figure_row("kind", row["kind"], labels.get(row["kind"], row["kind"]), row)
    for row in data["by_category"]:
        yield _figure_row("category", row["category"], row["name"], row)


def month_rows(report: Report) -> Iterator[list[Any]]:
    for row in report_as_dict(report)["monthly"]:
        yield [row[column] for column in MONTH_HEADER]


def ranking_rows(report: Report) -> Iterator[list[Any]]:
    for rank, row in enumerate(report_as_dict(report)["ranking"], start=1):
        agency = row["agency"]
        yield [
            rank, agency["code"], agency["name"], row["answered"], row["answered_on_time"], row["on_time_rate"],
            row["appeals"], row["reopen_rate"],
        ]  # fmt: skip


def export_csv(report: Report) -> bytes:
    """One table (totals, by kind, by category), UTF-8 with a byte-order mark so spreadsheet programs read
    Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(figure_rows(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet(workbook: Workbook, title: str, header: tuple[str, ...], rows: Iterator[list[Any]]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 2)
    return sheet


def _workbook(report: Report, *, title_page: bool) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    if title_page:
        _title_page(workbook, report)
    _sheet(workbook, "figures", HEADER, figure_rows(report)).column_dimensions["C"].width = 40
    _sheet(workbook, "monthly", MONTH_HEADER, month_rows(report))
    _sheet(workbook, "agencies", RANKING_HEADER, ranking_rows(report)).column_dimensions["C"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title_page(workbook: Workbook, report: Report) -> None:
    sheet = workbook.create_sheet("report")
    bases = sorted(
        {period.legal_basis for policy in workflows().deadlines.values() for period in policy.kinds.values()}
    )
    rows: list[tuple[str, str]] = [
        (_("Agency"), scope_label(report)),
        (_("Period"), f"{report.period.code} ({report.period.first_day:%d/%m/%Y} – {report.period.last_day:%d/%m/%Y})"),
        (_("Generated at"), timezone.localtime(report.generated_at).strftime("%d/%m/%Y %H:%M")),
        (_("Legal basis"), LEGAL_BASIS),
        *((_("Answer periods"), basis) for basis in bases),
    ]
    if report.filters.kind:
        rows.append((_("Type"), report.kind_labels[report.filters.kind]))
    if report.filters.category:
        rows.append((_("Category"), report.filters.category.display_name))
    sheet["A1"] = _("Report on questions, feedback and petitions")
    sheet["A1"].font = Font(bold=True, size=16)
    for offset, (label, value) in enumerate(rows, start=3):
        sheet.cell(row=offset, column=1, value=label).font = Font(bold=True)
        sheet.cell(row=offset, column=2, value=value).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def export_xlsx(report: Report) -> bytes:
    """Sheets: figures (the CSV's table), monthly, agencies (ranked by on-time rate)."""
    return _workbook(report, title_page=False)


def export_quarterly_xlsx(report: Report) -> bytes:
    """The quarterly report: a title page (agency, quarter, when generated, legal basis), then the sheets."""
    return _workbook(report, title_page=True)


def export_filename(report: Report, extension: str) -> str:
    agency = report.scope.agency.code if report.scope.agency else "all"
    return f"caunoi-report-{agency}-{report.period.code.replace('..', '_')}.{extension}"
