"""The dashboard, its exports and the API give the same figures; who may see them; bad input is a 400."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from caunoi.reports.aggregates import stats_refresh
from openpyxl import load_workbook

from tests.conftest import api_as
from tests.integration.test_report_figures import NOW, build_timeline

pytestmark = pytest.mark.django_db


Q2 = {"period": "2026-Q2"}


@pytest.fixture
def timeline(personas, reference_data):
    cases = build_timeline(personas, reference_data["agencies"])
    with time_machine.travel(NOW, tick=False):
        stats_refresh()  # the minute's refresh of the aggregates the pages read
        yield cases


def logged_in(web, user):
    web.force_login(user)
    return web


def summary(user, **params):
    return api_as(user).get("/api/v1/reports/summary/", params)


def test_the_api_gives_a_leader_their_subtree(timeline, personas):
    response = summary(personas["leader"], **Q2)
    assert response.status_code == 200
    body = response.json()
    assert body["agency"]["code"] == "UBND-HN"
    assert body["period"] == {"code": "2026-Q2", "kind": "quarter", "first_day": "2026-04-01", "last_day": "2026-06-30"}
    figures = body["figures"]
    # Received counts a case at each agency it reaches (reports/aggregates.py): B at SO-XD-HN and SO-NNMT-HN.
    assert (figures["received"], figures["answered"], figures["answered_on_time"]) == (5, 4, 3)
    assert (figures["on_time_rate"], figures["median_days"], figures["p90_days"]) == (0.75, 12.0, 23.4)
    assert figures["rating_distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert [row["kind"] for row in body["by_kind"]] == ["question", "feedback"]
    assert [m["month"] for m in body["monthly"]] == [f"2026-{n:02d}" for n in range(1, 7)]
    assert [r["agency"]["code"] for r in body["ranking"]] == ["SO-NNMT-HN"]


def test_the_api_filters_and_refuses_bad_values(settings, timeline, personas):
    settings.LANGUAGE_CODE = "en"  # the messages below are read in English
    admin = personas["admin"]
    body = summary(admin, period="2026-05", kind="question", category="dat-dai").json()
    assert (body["figures"]["received"], body["figures"]["answered"]) == (1, 1)  # D; A
    custom = summary(admin, start="2026-06-01", end="2026-06-30").json()
    assert custom["period"]["kind"] == "custom" and custom["figures"]["answered"] == 2  # E, C
    assert summary(admin, period="2026-13").json()["period"]
    assert summary(admin, period="next year").status_code == 400
    assert "period" in summary(admin, period="2026-Q5").json()
    assert summary(admin, start="2026-06-30", end="2026-06-01").json() == {
        "start": ["The last day must not be before the first day."]
    }
    assert "start" in summary(admin, start="1/6/2026", end="2026-06-30").json()
    assert "kind" in summary(admin, kind="complaint").json()
    assert "category" in summary(admin, category="nope").json()
    assert summary(admin, agency="NOPE").status_code == 404


@pytest.mark.parametrize(
    ("persona", "agency", "status"),
    [
        ("admin", "", 200),
        ("admin", "BO-GDDT", 200),
        ("leader", "", 200),
        ("leader", "SO-NNMT-HN", 200),
        ("leader", "BO-GDDT", 404),  # outside the leader's subtree
        ("official_a", "", 404),
        ("official_b", "", 404),
        ("moderator", "", 404),
        ("citizen", "", 404),
    ],
)
def test_who_may_read_the_api(timeline, personas, persona, agency, status):
    assert summary(personas[persona], agency=agency, **Q2).status_code == status


def test_anonymous_gets_no_api_report(timeline, api):
    assert api.get("/api/v1/reports/summary/").status_code in {401, 403}


@pytest.mark.parametrize("path", ["/staff/reports/", "/staff/reports/export.csv", "/staff/reports/export.xlsx",
                                  "/staff/reports/quarterly.xlsx"])  # fmt: skip
@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("leader", 200), ("official_a", 404), ("moderator", 404), ("citizen", 404), (None, 302)],
)
def test_who_may_open_the_pages(timeline, personas, web, path, persona, status):
    if persona:
        web.force_login(personas[persona])
    response = web.get(path, Q2)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_shows_the_figures_charts_and_tables(timeline, personas, web):
    page = logged_in(web, personas["leader"]).get("/staff/reports/", Q2).content.decode()
    assert page.count('<svg class="chart chart--wide"') == 3
    assert page.count('<svg class="chart chart--narrow"') == 3
    assert 'role="img"' in page and '<title id="chart-on-time-title">' in page
    assert "75,0%" in page or "75.0%" in page  # the on-time rate, in the language's decimal format
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in page  # the ranking
    # The files are prepared by a worker (test_stats_export_jobs.py): a form carrying the filters.
    assert 'action="/staff/reports/exports/"' in page and '<input type="hidden" name="period" value="2026-Q2">' in page


def test_the_dashboard_says_what_is_wrong(timeline, personas, web):
    response = logged_in(web, personas["admin"]).get("/staff/reports/", {"period": "Q9", "category": "nope"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_period"' in page and 'href="#id_category"' in page
    assert 'aria-invalid="true"' in page
    outside = logged_in(web, personas["leader"]).get("/staff/reports/", {"agency": "BO-GDDT"})
    assert outside.status_code == 400 and 'href="#id_agency"' in outside.content.decode()


def test_csv_parsed_back_equals_the_json(timeline, personas, web):
    json_body = summary(personas["leader"], **Q2).json()
    response = logged_in(web, personas["leader"]).get("/staff/reports/export.csv", Q2)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="caunoi-report-UBND-HN-2026-Q2.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert_rows_match(rows, json_body)


def assert_rows_match(rows, body):
    def number(value):
        return None if value in ("", None) else float(value)

    expected = [("total", body["figures"])]
    expected += [(f"kind:{row['kind']}", row) for row in body["by_kind"]]
    expected += [(f"category:{row['category']}", row) for row in body["by_category"]]
    assert len(rows) == len(expected)
    for row, (label, figures) in zip(rows, expected, strict=True):
        assert label.split(":")[0] == row["group"]
        for column in ("received", "answered", "answered_on_time", "on_time_rate", "overdue_now", "median_days",
                       "p90_days", "transfers", "returns", "ratings", "rating_average", "citizen_median_days",
                       "answered_transferred"):  # fmt: skip
            assert number(row[column]) == figures[column], (label, column)
        for score in "12345":
            assert int(row[f"rating_{score}"]) == figures["rating_distribution"][score]


def test_xlsx_and_quarterly_report_parsed_back_equal_the_json(timeline, personas, web):
    json_body = summary(personas["admin"], **Q2).json()
    client = logged_in(web, personas["admin"])
    book = load_workbook(io.BytesIO(client.get("/staff/reports/export.xlsx", Q2).content))
    assert book.sheetnames == ["figures", "monthly", "agencies"]
    header, *data = list(book["figures"].iter_rows(values_only=True))
    assert_rows_match([dict(zip(header, row, strict=True)) for row in data], json_body)
    month_header, *months = list(book["monthly"].iter_rows(values_only=True))
    assert [dict(zip(month_header, row, strict=True)) for row in months] == [
        {key: value for key, value in month.items() if key != "received_by_category"} for month in json_body["monthly"]
    ]
    _h, *ranking = list(book["agencies"].iter_rows(values_only=True))
    assert [(row[1], row[5]) for row in ranking] == [
        (r["agency"]["code"], r["on_time_rate"]) for r in json_body["ranking"]
    ]

    quarterly = client.get("/staff/reports/quarterly.xlsx", Q2)
    assert 'filename="caunoi-quarterly-report-all-2026-Q2.xlsx"' in quarterly["Content-Disposition"]
    book = load_workbook(io.BytesIO(quarterly.content))
    assert book.sheetnames == ["report", "figures", "monthly", "agencies"]
    title = {row[0]: row[1] for row in book["report"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert any("2026-Q2" in str(value) and "01/04/2026" in str(value) for value in title.values())
    assert any("Nghị định 224/2026" in str(value) for value in title.values())
    assert any("01/07/2026" in str(value) for value in title.values())  # generated at


def test_the_public_league_table(timeline, web, api, settings):
    settings.REPORTS_LEAGUE_MIN_ANSWERED = 2
    page = web.get("/agencies/on-time/", Q2)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in text
    assert "Bộ Giáo dục và Đào tạo" not in text  # one answer: too few to rank
    body = api.get("/api/v1/reports/league/", Q2).json()
    assert body["min_answered"] == 2
    assert [(row["rank"], row["agency"]["code"], row["on_time_rate"]) for row in body["agencies"]] == [
        (1, "SO-NNMT-HN", 0.75)
    ]
    assert web.get("/agencies/on-time/", {"period": "soon"}).status_code == 400
    assert api.get("/api/v1/reports/league/", {"period": "soon"}).status_code == 400


@pytest.mark.parametrize("persona", ["admin", "leader", "official_a", "moderator", "citizen", None])
def test_the_league_table_is_public(timeline, personas, web, persona):
    if persona:
        web.force_login(personas[persona])
    assert web.get("/agencies/on-time/", Q2).status_code == 200


def test_the_schema_documents_the_summary(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/reports/summary/" in schema and "on_time_rate" in schema


def test_a_report_is_reused_until_something_changes(timeline, personas, django_assert_max_num_queries):
    from caunoi.cases.services import case_rate
    from caunoi.reports.periods import parse_period
    from caunoi.reports.report import report_cached
    from caunoi.reports.scope import EVERY_AGENCY

    period = parse_period("2026-Q2")
    first = report_cached(scope=EVERY_AGENCY, period=period)
    with django_assert_max_num_queries(3):  # the calendar check and the versions in the key; no figures
        again = report_cached(scope=EVERY_AGENCY, period=period)
    assert again.generated_at == first.generated_at
    with time_machine.travel(dt.datetime(2026, 6, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False):
        case_rate(case=timeline["C"], score=4)  # a new rating in the quarter
    stats_refresh()
    assert report_cached(scope=EVERY_AGENCY, period=period).total.ratings == first.total.ratings + 1
