"""The officials' work queue: GET /api/v1/queue/, the page /staff/queue/ and case_list_for_queue.

Who sees what, every filter, the order (due date, paused last), keyset pagination across pages, and the
refusals (roles without a queue, bad values, bad cursors).
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import zoneinfo
from typing import Any

import pytest
import time_machine
from caunoi.accounts.models import User
from caunoi.agencies.models import Area, Category
from caunoi.agencies.reference import reference_data
from caunoi.agencies.selectors import forget_reach
from caunoi.cases.access import cases_for_staff
from caunoi.cases.api.queue import queue_item
from caunoi.cases.models import Case
from caunoi.cases.queue import Cursor, InvalidCursor, QueueFilters, case_list_for_queue
from caunoi.cases.services import Contact, case_submit
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import api_as

pytestmark = pytest.mark.django_db

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=VN)  # a Monday morning
URL = "/api/v1/queue/"
PAGE = "/staff/queue/"
_numbers = itertools.count(1)


def end_of_day(day: int, month: int = 11) -> dt.datetime:
    """Due dates are stored as the end of a Vietnamese day, as compute_due writes them."""
    return dt.datetime(2026, month, day, 23, 59, 59, tzinfo=VN)


def make_case(
    agency: str,
    *,
    due: dt.datetime | None = None,
    kind: str = "question",
    status: str = "received",
    category: str = "dat-dai",
    area: str | None = "tinh-01",
    title: str = "Hỏi về thủ tục hành chính",
    body: str = "Xin hỏi hồ sơ gồm những giấy tờ gì?",
    assignee: User | None = None,
    closed: bool = False,
) -> Case:
    """A case placed exactly where a test needs it (agency, due date, status), without routing."""
    from caunoi.agencies.models import Agency

    number = next(_numbers)
    received = NOW - dt.timedelta(days=10)
    paused = status == "waiting_citizen"
    return Case.objects.create(
        kind=kind,
        title=title,
        body=body,
        category=Category.objects.get(slug=category),
        area=Area.objects.get(code=area) if area else None,
        channel="web",
        contact_name="Nguyễn Văn An",
        tracking_code=f"HD-2026-{number:06d}",
        access_token_hash="0" * 64,
        agency=Agency.objects.get(code=agency),
        status="answered" if closed else status,
        assignee=assignee,
        received_at=received,
        clock_started_on=received.date(),
        due_at=None if paused else (due or end_of_day(30)),
        closed_at=NOW - dt.timedelta(days=1) if closed else None,
        lifecycle_version=1,
        routing_version=1,
        deadline_version=1,
    )


def get(user: User, **params: Any) -> Any:
    response = api_as(user).get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [row["tracking_code"] for row in body["results"]]


def walk(user: User, **params: Any) -> list[dict[str, Any]]:
    """Every row of the queue, following `next` links to the end."""
    client = api_as(user)
    rows: list[dict[str, Any]] = []
    response = client.get(URL, params)
    for _ in range(200):
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows
        response = client.get(body["next"])
    raise AssertionError("the queue never ended")


@pytest.fixture
def spread(personas) -> dict[str, Case]:
    """One open case in each of several agencies, one closed case, one paused case."""
    return {
        "a": make_case("SO-NNMT-HN", due=end_of_day(20)),
        "a_paused": make_case("SO-NNMT-HN", status="waiting_citizen"),
        "a_closed": make_case("SO-NNMT-HN", due=end_of_day(19), closed=True),
        "hanoi": make_case("UBND-HN", due=end_of_day(21)),
        "construction": make_case("SO-XD-HN", due=end_of_day(22)),
        "ward": make_case("UBND-P-HOANKIEM", due=end_of_day(23)),
        "education": make_case("BO-GDDT", due=end_of_day(24)),
        "triage": make_case("VPCP-TIEPNHAN", due=end_of_day(25)),
    }


# --- Who sees what --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official_a", ["a", "a_paused"]),
        ("leader", ["a", "hanoi", "construction", "ward", "a_paused"]),
        ("official_b", ["education"]),
        ("admin", ["a", "hanoi", "construction", "ward", "education", "triage", "a_paused"]),
    ],
)
def test_each_role_sees_the_open_cases_of_its_reach(personas, spread, persona, expected):
    body = get(personas[persona])
    assert codes(body) == [spread[name].tracking_code for name in expected]


@pytest.mark.parametrize("persona", ["official_a", "official_b", "leader", "admin"])
def test_the_queue_is_exactly_the_open_cases_the_access_funnel_allows(personas, spread, persona):
    user = personas[persona]
    listed = [row["id"] for row in walk(user, limit=2)]
    allowed = set(cases_for_staff(user).filter(closed_at__isnull=True).values_list("pk", flat=True))
    assert len(listed) == len(set(listed))
    assert set(listed) == allowed


def test_official_b_sees_none_of_agency_a(personas, spread):
    listed = {row["tracking_code"] for row in walk(personas["official_b"])}
    assert spread["a"].tracking_code not in listed
    assert spread["a_paused"].tracking_code not in listed


def test_closed_cases_are_never_listed(personas, spread):
    for persona in ("official_a", "leader", "admin"):
        listed = {row["tracking_code"] for row in walk(personas[persona], limit=1)}
        assert spread["a_closed"].tracking_code not in listed


@pytest.mark.parametrize("persona", ["citizen", "moderator"])
def test_roles_without_a_queue_are_refused_by_the_api(personas, spread, persona):
    response = api_as(personas[persona]).get(URL)
    assert response.status_code == 403
    assert "results" not in response.json()


def test_the_api_asks_anonymous_callers_to_authenticate(api, spread):
    assert api.get(URL).status_code == 401


def test_an_inactive_official_is_refused(personas, spread):
    official = personas["official_a"]
    official.is_active = False
    official.save(update_fields=["is_active"])
    client = api_as(official)
    assert client.get(URL).status_code in {401, 403}


@pytest.mark.parametrize("persona", ["citizen", "moderator"])
def test_the_page_is_not_found_for_roles_without_a_queue(web, personas, spread, persona):
    web.force_login(personas[persona])
    assert web.get(PAGE).status_code == 404


def test_the_page_asks_for_a_login(web, spread):
    response = web.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- What a row says -------------------------------------------------------------------------------------


def test_a_row_carries_what_the_queue_shows(personas, spread):
    spread["a"].assignee = personas["official_a"]
    spread["a"].save(update_fields=["assignee"])
    with time_machine.travel(NOW, tick=False):
        row = get(personas["official_a"])["results"][0]
    assert row == {
        "id": spread["a"].id,
        "tracking_code": spread["a"].tracking_code,
        "kind": "question",
        "title": "Hỏi về thủ tục hành chính",
        "status": "received",
        "status_label": "Received",
        "agency": {"code": "SO-NNMT-HN", "name": "Ha Noi Department of Agriculture and Environment"},
        "category": "dat-dai",
        "area": "tinh-01",
        "assignee": "official-a",
        "received_at": row["received_at"],
        "due_at": "2026-11-20T23:59:59+07:00",
        "overdue": False,
        "clock": "running",
    }
    paused = get(personas["official_a"])["results"][1]
    assert (paused["due_at"], paused["clock"], paused["overdue"]) == (None, "paused", False)


def test_a_case_submitted_through_intake_appears_in_its_agencys_queue(personas, reference_data):
    submitted = case_submit(
        kind="question",
        title="Thủ tục cấp sổ đỏ lần đầu",
        body="Gia đình tôi sử dụng đất ổn định từ năm 1990. Xin hỏi hồ sơ gồm những gì?",
        category=reference_data["categories"]["dat-dai"],
        area=reference_data["areas"]["tinh-01"],
        channel="web",
        contact=Contact(name="Phạm Minh Đức", email="duc@example.org"),
    )
    assert codes(get(personas["official_a"])) == [submitted.case.tracking_code]
    assert codes(get(personas["official_b"])) == []


# --- Order and pages --------------------------------------------------------------------------------------


def test_soonest_due_first_ties_by_id_and_paused_last(personas):
    later = make_case("SO-NNMT-HN", due=end_of_day(28))
    paused_1 = make_case("SO-NNMT-HN", status="waiting_citizen")
    tie_1 = make_case("SO-NNMT-HN", due=end_of_day(18))
    sooner = make_case("SO-NNMT-HN", due=end_of_day(17))
    tie_2 = make_case("SO-NNMT-HN", due=end_of_day(18))
    paused_2 = make_case("SO-NNMT-HN", status="waiting_citizen")
    expected = [sooner, tie_1, tie_2, later, paused_1, paused_2]
    assert codes(get(personas["official_a"])) == [case.tracking_code for case in expected]


@pytest.mark.parametrize("persona", ["official_a", "leader"])
def test_following_next_walks_every_open_case_exactly_once(personas, persona):
    # 23 open cases on only four due dates (many ties), in several agencies for the leader, some paused.
    agencies = ["SO-NNMT-HN"] if persona == "official_a" else ["SO-NNMT-HN", "UBND-HN", "SO-XD-HN"]
    made = []
    for number in range(23):
        agency = agencies[number % len(agencies)]
        if number % 7 == 3:
            made.append(make_case(agency, status="waiting_citizen"))
        else:
            made.append(make_case(agency, due=end_of_day(17 + number % 4)))
    make_case("SO-NNMT-HN", due=end_of_day(17), closed=True)
    rows = walk(personas[persona], limit=5)
    expected = sorted(made, key=lambda case: (case.due_at is None, case.due_at or NOW, case.id))
    assert [row["id"] for row in rows] == [case.id for case in expected]


def test_a_page_is_exactly_limit_long_and_the_last_one_has_no_next(personas):
    for day in range(10):
        make_case("SO-NNMT-HN", due=end_of_day(10 + day))
    first = get(personas["official_a"], limit=4)
    assert len(first["results"]) == 4
    assert first["next"].startswith("http://testserver/api/v1/queue/?")
    assert "limit=4" in first["next"]
    client = api_as(personas["official_a"])
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert (len(second["results"]), len(third["results"]), third["next"]) == (4, 2, None)


def test_exactly_limit_cases_fit_on_one_page(personas):
    for day in range(3):
        make_case("SO-NNMT-HN", due=end_of_day(10 + day))
    body = get(personas["official_a"], limit=3)
    assert (len(body["results"]), body["next"]) == (3, None)


def test_the_next_link_keeps_the_filters(personas):
    for _ in range(3):
        make_case("SO-NNMT-HN", kind="feedback")
    make_case("SO-NNMT-HN", kind="question")
    first = get(personas["official_a"], kind="feedback", limit=2)
    assert "kind=feedback" in first["next"]
    second = api_as(personas["official_a"]).get(first["next"]).json()
    assert [row["kind"] for row in first["results"] + second["results"]] == ["feedback"] * 3


def test_a_page_costs_the_same_few_queries_at_any_depth(personas):
    for number in range(30):
        make_case(["SO-NNMT-HN", "UBND-HN", "SO-XD-HN"][number % 3], due=end_of_day(1 + number % 28))
    leader = personas["leader"]
    reference_data()  # the per-process copy of agencies, categories and areas is loaded once, not per page
    spent = []
    after = None
    for _ in range(3):
        forget_reach(leader)  # each request loads its user afresh
        with CaptureQueriesContext(connection) as queries:
            page = case_list_for_queue(user=leader, filters=QueueFilters(), after=after, limit=5)
            rows = [queue_item(case, now=NOW) for case in page.rows]  # all a row shows: loaded already
        spent.append(len(queries))
        after = Cursor.decode(page.next_cursor)
        assert len(rows) == 5
    assert spent[0] == spent[1] == spent[2] <= 3  # the leader's reach, the page, the assignees if any


# --- Filters ----------------------------------------------------------------------------------------------


def test_filter_by_status_repeated_or_comma_separated(personas):
    received = make_case("SO-NNMT-HN", status="received", due=end_of_day(20))
    handled = make_case("SO-NNMT-HN", status="in_progress", due=end_of_day(21))
    make_case("SO-NNMT-HN", status="in_review", due=end_of_day(22))
    official = personas["official_a"]
    assert codes(get(official, status="in_progress")) == [handled.tracking_code]
    both = [received.tracking_code, handled.tracking_code]
    assert codes(get(official, status=["received", "in_progress"])) == both
    assert codes(get(official, status="received,in_progress")) == both


def test_filter_by_kind_and_category(personas):
    feedback = make_case("SO-NNMT-HN", kind="feedback", category="moi-truong")
    make_case("SO-NNMT-HN", kind="question", category="dat-dai")
    official = personas["official_a"]
    assert codes(get(official, kind="feedback")) == [feedback.tracking_code]
    assert codes(get(official, category="moi-truong")) == [feedback.tracking_code]
    assert codes(get(official, kind="feedback", category="dat-dai")) == []


def test_filter_by_area_includes_the_areas_below(personas):
    province = make_case("SO-NNMT-HN", area="tinh-01", due=end_of_day(20))
    ward = make_case("SO-NNMT-HN", area="xa-00070", due=end_of_day(21))
    make_case("SO-NNMT-HN", area="tinh-44", due=end_of_day(22))
    make_case("SO-NNMT-HN", area=None, due=end_of_day(23))
    official = personas["official_a"]
    assert codes(get(official, area="tinh-01")) == [province.tracking_code, ward.tracking_code]
    assert codes(get(official, area="xa-00070")) == [ward.tracking_code]


def test_filter_by_assignment(personas):
    mine = make_case("SO-NNMT-HN", assignee=personas["official_a"], due=end_of_day(20))
    colleague = User.objects.create_user(username="colleague", role="official")
    make_case("SO-NNMT-HN", assignee=colleague, due=end_of_day(21))
    nobody = make_case("SO-NNMT-HN", due=end_of_day(22))
    official = personas["official_a"]
    assert codes(get(official, assigned="me")) == [mine.tracking_code]
    assert codes(get(official, assigned="unassigned")) == [nobody.tracking_code]


def test_filter_overdue_follows_the_clock(personas):
    yesterday = make_case("SO-NNMT-HN", due=end_of_day(15))
    today = make_case("SO-NNMT-HN", due=end_of_day(16))
    paused = make_case("SO-NNMT-HN", status="waiting_citizen")
    official = personas["official_a"]
    with time_machine.travel(NOW, tick=False):
        overdue = get(official, overdue="true")
        assert codes(overdue) == [yesterday.tracking_code]
        assert overdue["results"][0]["overdue"] is True
        assert codes(get(official, overdue="false")) == [today.tracking_code, paused.tracking_code]
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert codes(get(official, overdue="true")) == [yesterday.tracking_code, today.tracking_code]


def test_filter_due_before_a_date(personas):
    on_18 = make_case("SO-NNMT-HN", due=end_of_day(18))
    make_case("SO-NNMT-HN", due=end_of_day(19))
    make_case("SO-NNMT-HN", status="waiting_citizen")
    official = personas["official_a"]
    assert codes(get(official, due_before="2026-11-19")) == [on_18.tracking_code]
    assert codes(get(official, due_before="2026-11-18")) == []


@pytest.mark.parametrize("q", ["dat dai", "đất đai", "ĐẤT ĐAI", "Dat Dai"])
def test_search_ignores_diacritics_and_case(personas, q):
    land = make_case("SO-NNMT-HN", title="Tranh chấp đất đai với hàng xóm", due=end_of_day(20))
    in_body = make_case("SO-NNMT-HN", title="Xin hỏi", body="Về quyền sử dụng Đất Đai của gia đình", due=end_of_day(21))
    make_case("SO-NNMT-HN", title="Rác thải", body="Đổ trộm ở đầu ngõ", due=end_of_day(22))
    assert codes(get(personas["official_a"], q=q)) == [land.tracking_code, in_body.tracking_code]


def test_search_matches_percent_and_underscore_literally(personas):
    percent = make_case("SO-NNMT-HN", title="Tăng 100% học phí", due=end_of_day(20))
    make_case("SO-NNMT-HN", title="Tăng 1000 học phí", due=end_of_day(21))
    underscore = make_case("SO-NNMT-HN", title="Mã hồ sơ HS_01", due=end_of_day(22))
    make_case("SO-NNMT-HN", title="Mã hồ sơ HSX01", due=end_of_day(23))
    official = personas["official_a"]
    assert codes(get(official, q="100%")) == [percent.tracking_code]
    assert codes(get(official, q="hs_01")) == [underscore.tracking_code]
    assert codes(get(official, q="%")) == [percent.tracking_code]


def test_blank_filters_mean_no_filter(personas, spread):
    blank = get(personas["official_a"], status="", kind="", category="", area="", assigned="", overdue="", q=" ")
    assert codes(blank) == codes(get(personas["official_a"]))


# --- Refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"due_before": "notadate"},
        {"due_before": "31/12/2026"},
        {"status": "nope"},
        {"status": "received,nope"},
        {"overdue": "maybe"},
        {"kind": "complaint"},
        {"assigned": "someone"},
        {"category": "no-such-category"},
        {"area": "tinh-99"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"q": "x" * 201},
    ],
)
def test_bad_values_are_refused_field_by_field(personas, spread, params):
    response = api_as(personas["official_a"]).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_several_bad_values_are_all_reported(personas, spread):
    response = api_as(personas["official_a"]).get(URL, {"due_before": "x", "status": "nope", "overdue": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"due_before", "status", "overdue"}


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "%%%",
        _b64("no separator"),
        _b64("2026-11-20T16:59:59+00:00|abc"),
        _b64("2026-11-20T16:59:59+00:00|-5"),
        _b64("2026-11-20T16:59:59|5"),  # no time zone
        _b64("yesterday|5"),
        base64.urlsafe_b64encode(b"\xff\xfe|1").decode(),
        "QUJD",  # valid base64 of "ABC"
    ],
)
def test_a_malformed_cursor_is_a_400_not_a_500(personas, spread, cursor):
    response = api_as(personas["official_a"]).get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_a_cursor_round_trips_and_rejects_tampering():
    cursor = Cursor(dt.datetime(2026, 11, 20, 16, 59, 59, tzinfo=dt.UTC), 42)
    token = cursor.encode()
    assert Cursor.decode(token) == cursor
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    with pytest.raises(InvalidCursor):
        Cursor.decode(token[:-3] + "*" + token[-2:])


def test_the_selector_refuses_an_out_of_range_limit(personas):
    with pytest.raises(ValueError, match="limit"):
        case_list_for_queue(user=personas["official_a"], filters=QueueFilters(), after=None, limit=0)


def test_the_schema_documents_the_queue(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/queue/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"status", "kind", "category", "area", "assigned", "overdue", "due_before", "q", "cursor", "limit"} <= names


# --- The page -----------------------------------------------------------------------------------------------


def test_the_page_lists_the_queue_with_overdue_and_paused_in_words(web, personas):
    late = make_case("SO-NNMT-HN", due=end_of_day(15), title="Đã quá hạn")
    paused = make_case("SO-NNMT-HN", status="waiting_citizen", title="Đang chờ người dân")
    web.force_login(personas["official_a"])
    with time_machine.travel(NOW, tick=False):
        response = web.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption" in html and 'scope="col"' in html
    assert f'href="{reverse("cases:staff-case", args=[late.id])}"' in html
    assert late.tracking_code in html and paused.tracking_code in html
    assert html.index(late.tracking_code) < html.index(paused.tracking_code)
    assert 'tag tag--overdue">Overdue<' in html
    assert 'tag tag--paused">Paused<' in html


def test_the_page_keeps_the_filters_and_links_to_the_next_page(web, personas):
    for day in range(3):
        make_case("SO-NNMT-HN", kind="feedback", title="Đất đai bị lấn chiếm", due=end_of_day(10 + day))
    web.force_login(personas["official_a"])
    response = web.get(PAGE, {"kind": "feedback", "q": "dat dai", "status": "received", "limit": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="feedback" selected>' in html
    assert 'value="dat dai"' in html
    assert 'value="received" id="id_status" checked' in html
    assert html.count("Đất đai bị lấn chiếm") == 2
    next_url = response.context["next_url"]
    assert next_url.startswith(PAGE + "?") and "cursor=" in next_url and "kind=feedback" in next_url
    assert f'href="{next_url.replace("&", "&amp;")}"' in html
    second = web.get(next_url)
    assert second.content.decode().count("Đất đai bị lấn chiếm") == 1
    assert second.context["next_url"] is None
    assert "cursor" not in second.context["first_url"]


def test_the_page_shows_bad_values_beside_their_fields(web, personas, spread):
    web.force_login(personas["official_a"])
    response = web.get(PAGE, {"due_before": "notadate", "overdue": "maybe"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_due_before"' in html and 'id="id_due_before-error"' in html
    assert 'href="#id_overdue"' in html
    assert 'value="notadate"' in html
    assert spread["a"].tracking_code not in html


def test_the_page_treats_a_bad_cursor_as_a_problem_to_start_over(web, personas, spread):
    web.force_login(personas["official_a"])
    response = web.get(PAGE, {"cursor": "garbage!"})
    assert response.status_code == 400
    assert f'href="{PAGE}"' in response.content.decode()


@pytest.mark.django_db
def test_linked_duplicates_leave_the_queue(personas, reference_data):
    from caunoi.cases.queue import QueueFilters, case_list_for_queue
    from caunoi.cases.services import case_link_duplicate

    from tests.support.cases import submit_case

    primary, _ = submit_case()
    duplicate, _ = submit_case()
    case_link_duplicate(case=duplicate, by=personas["official_a"], primary=primary)
    page = case_list_for_queue(user=personas["official_a"], filters=QueueFilters(), after=None, limit=50)
    assert [case.pk for case in page.rows] == [primary.pk]


def test_the_queue_page_offers_the_kind_and_category_filters_and_keeps_the_choice(personas, web):
    web.force_login(personas["official_a"])
    page = web.get("/staff/queue/", {"kind": "feedback", "category": "dat-dai"}).content.decode()
    assert '<select class="select" id="id_kind" name="kind">' in page
    assert '<option value="feedback" selected>' in page
    assert '<option value="dat-dai" selected>' in page
