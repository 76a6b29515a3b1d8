"""The officials' work queue: the open cases a staff member may see, soonest due first, one page at a time.

Pages are cut by keyset, not by offset: a cursor names the last row shown (its sort key and id), and the next
page starts strictly after it, so page 500 reads as few rows as page 1 and a case that closes or arrives
between two requests never shifts what the next page shows.

The sort key is `COALESCE(due_at, QUEUE_END)`, the expression of the partial index `case_open_queue_idx`
(agency_id, COALESCE(due_at, QUEUE_END), id) WHERE closed_at IS NULL: paused cases (no due date) come last.
That index is ordered within one agency. For the agencies in a user's reach the page query walks it once per
agency (a LATERAL subquery stopping after a page) and sorts the few rows found. The per-agency query is
built on `cases_for_staff(user)`, so splitting by agency narrows what is read, never what may be seen.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    F,
    Field,
    ForeignKey,
    Func,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency, Area, Category
from caunoi.agencies.reference import reference_data
from caunoi.agencies.selectors import agency_ids_in_reach
from caunoi.core import clock
from caunoi.core.errors import ValidationFailed
from caunoi.core.text import vn_fold

from .access import TRACKING_CODE, cases_for_staff
from .models import QUEUE_END, Case

# Must stay the expression of case_open_queue_idx, or PostgreSQL cannot walk the index in this order.
SORT_DUE = Coalesce("due_at", Value(QUEUE_END))
QUEUE_ORDER = ("sort_due", "pk")
# What a queue row shows (api/queue.py, web/queue.py); the body, contact details and JSON explanations,
# the bulk of a case, are left for the case's own page.
QUEUE_FIELDS = (
    "tracking_code", "kind", "title", "status", "received_at", "due_at", "closed_at", "lifecycle_version",
    "agency", "category", "area", "assignee",
)  # fmt: skip
# Where a related row the reference copy does not hold is read from (see _attach_related).
QUEUE_RELATED: dict[str, QuerySet[Any]] = {
    "agency": Agency.objects.only("code", "name", "name_en"),
    "category": Category.objects.only("slug", "name", "name_en"),
    "area": Area.objects.only("code", "name", "name_en"),
    "assignee": User.objects.only("username", "first_name", "last_name"),
}

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# The UNION ALL grows by one branch per agency (SQL, compilation and planning time); beyond this many the
# queue is read in one query, which sorts every open case in reach (see _agencies_to_merge).
MAX_MERGED_AGENCIES = 32

Assigned = Literal["me", "unassigned"]


class Row(Func):
    """An SQL row value, `ROW(a, b)`: compared column by column, which a btree index can seek to."""

    function = "ROW"
    output_field = Field()


class InvalidCursor(ValidationFailed):
    """The `cursor` parameter is not one this queue handed out (truncated, edited or from elsewhere)."""

    def __init__(self) -> None:
        super().__init__({"cursor": [str(_("This page link is not valid. Start again from the first page."))]})


@dataclass(frozen=True)
class Cursor:
    """The position after which the next page starts: the last row's sort key and id."""

    due: dt.datetime  # COALESCE(due_at, QUEUE_END) of the last row, timezone-aware
    id: int

    def encode(self) -> str:
        """Opaque to clients, safe in a URL: base64url of "<ISO 8601>|<id>" without padding."""
        raw = f"{self.due.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor `encode` wrote. Raises InvalidCursor for anything else (never a 500)."""
        try:
            raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
            iso, separator, id_text = raw.decode("ascii").partition("|")
            due = dt.datetime.fromisoformat(iso)
            case_id = int(id_text)
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise InvalidCursor from exc
        if not separator or due.tzinfo is None or case_id <= 0 or not id_text.isdigit():
            raise InvalidCursor
        return cls(due, case_id)


@dataclass
class QueueFilters:
    """What the queue is narrowed to. None (or an empty list) means "any"."""

    status: list[str] | None = None  # lifecycle state names
    kind: str | None = None
    category: str | None = None  # category slug
    area: str | None = None  # area code: that area and every area below it
    assigned: Assigned | None = None  # "me": assigned to the user asking; "unassigned": to nobody
    overdue: bool | None = None  # True: past due with the clock running; False: not past due (or paused)
    due_before: dt.date | None = None  # due on a day before this one (Vietnam time); paused cases excluded
    q: str | None = None  # words in the title or content, ignoring case and Vietnamese diacritics


@dataclass(frozen=True)
class QueuePage:
    rows: list[Case]  # QUEUE_FIELDS and `sort_due` loaded, with agency, category, area and assignee
    next_cursor: str | None  # encoded Cursor of the last row when more rows follow, else None


def case_list_for_queue(*, user: User, filters: QueueFilters, after: Cursor | None, limit: int) -> QueuePage:
    """One page of the open cases (closed_at IS NULL) `user` may see (`cases_for_staff`), narrowed by
    `filters`, ordered by due date with paused cases last, ties by id, starting after `after`.

    Guarantees: following `next_cursor` until it is None yields every matching open case exactly once (as
    of each request). A page reads about `limit` index entries per agency and costs a fixed number of small
    queries whatever its depth: the user's reach (once per request, see agency_ids_in_reach), the page,
    and the assignees shown on it (when any is assigned). A user who may see no case
    gets an empty page. Raises ValueError if `limit` is not between 1 and MAX_LIMIT (interfaces check it).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    # Linked duplicates leave the queue: their primary's approved answer reaches them.
    open_cases = (
        cases_for_staff(user).filter(closed_at__isnull=True, duplicate_of__isnull=True).annotate(sort_due=SORT_DUE)
    )
    queue = _filtered(open_cases, filters, user)
    if after is not None:
        queue = _after(queue, after)
    rows = _first_rows(queue, user=user, limit=limit + 1)  # one more than asked: is there a next page?
    page, more = rows[:limit], len(rows) > limit
    if not more:
        return QueuePage(rows=page, next_cursor=None)
    last = page[-1]
    return QueuePage(rows=page, next_cursor=Cursor(last.sort_due, last.pk).encode())  # type: ignore[attr-defined]


def _first_rows(queue: QuerySet[Case], *, user: User, limit: int) -> list[Case]:
    """The first `limit` cases of `queue` in queue order, with what a queue row shows."""
    agency_ids = _agencies_to_merge(user)
    if agency_ids == []:
        return []
    # The page reads the cases table alone and the related rows are attached afterwards (from the reference
    # copy, the assignees in one query): joined, they multiplied planning time (1 ms against 0.1 ms).
    lean = queue.select_related(None).only(*QUEUE_FIELDS).order_by(*QUEUE_ORDER)
    rows = list(lean[:limit]) if agency_ids is None else _merged_by_agency(lean, agency_ids, limit)
    _attach_related(rows)
    return rows


def _merged_by_agency(queue: QuerySet[Case], agency_ids: list[int], limit: int) -> list[Case]:
    """The first `limit` rows of `queue` (ordered, QUEUE_ORDER) over several agencies: for each agency a walk
    along its part of the index that stops after `limit` rows (a LATERAL subquery), then the few rows found
    sorted once. The ORM cannot say LATERAL, so the branch is compiled by the ORM once, with the agency as a
    column of the outer query, and wrapped; its parameters travel separately, as for any query.

    A UNION ALL of one branch per agency (the ORM's way) reads the same rows, but compiling it cost 0.5 ms of
    Python per agency on every page."""
    branch = queue.filter(agency_id=RawSQL('"reach"."id"', ()))[:limit]
    try:
        sql, params = branch.query.sql_with_params()
    except EmptyResultSet:
        return []
    merged = (
        f'SELECT "page".* FROM unnest(%s::bigint[]) AS "reach"("id") CROSS JOIN LATERAL ({sql}) AS "page" '  # noqa: S608
        'ORDER BY "page"."sort_due", "page"."id" LIMIT %s'
    )
    return list(Case.objects.raw(merged, [agency_ids, *params, limit]))


def _attach_related(rows: list[Case]) -> None:
    """Agency, category and area come from the per-process reference copy (no query); the assignees, and any
    inactive agency or category the copy leaves out, from one query each."""
    known = reference_data().by_id
    for name, source in QUEUE_RELATED.items():
        field = Case._meta.get_field(name)
        assert isinstance(field, ForeignKey)
        ids = {getattr(row, field.attname) for row in rows} - {None}
        objects = known.get(source.model, {})
        missing = ids - objects.keys()
        if missing:
            # in_bulk, not prefetch_related_objects: the prefetch machinery cost more than its query here.
            objects = {**objects, **source.in_bulk(missing)}
        for row in rows:
            found = objects.get(getattr(row, field.attname))
            if found is not None:
                field.set_cached_value(row, found)


def _filtered(queue: QuerySet[Case], filters: QueueFilters, user: User) -> QuerySet[Case]:
    """`queue` narrowed by `filters`. Every condition is on the cases table (through scalar subqueries and
    semi-joins, never a join of its own), so that the plan can remain a walk along the index."""
    # Conditions on the due date are written on SORT_DUE, the index's own expression, so that PostgreSQL
    # can turn them into a range of the index rather than a filter applied row by row. QUEUE_END lies
    # beyond any real date, so `SORT_DUE < t` is exactly `due_at < t` (paused cases excluded).
    if filters.status:
        queue = queue.filter(status__in=filters.status)
    if filters.kind:
        queue = queue.filter(kind=filters.kind)
    if filters.category:
        # A scalar subquery (computed once), not a join: the plan stays a walk over the cases alone.
        category = Category.objects.filter(slug=filters.category).order_by().values("pk")[:1]
        queue = queue.filter(category_id=Subquery(category))
    if filters.area:
        # The area's path is read first: with a constant prefix, "the area and every area below it" is an
        # indexed search (agencies' path_idx); with a subquery for the prefix it was a scan of every area.
        path = Area.objects.filter(code=filters.area).values_list("path", flat=True).first()
        if path is None:
            return queue.none()
        queue = queue.filter(area_id__in=Area.objects.filter(path__startswith=path).values("pk"))
    if filters.assigned == "me":
        queue = queue.filter(assignee=user)
    elif filters.assigned == "unassigned":
        queue = queue.filter(assignee__isnull=True)
    if filters.overdue is not None:
        # clock.now(), not SQL now(): the same instant is_overdue() uses, and one tests can move.
        now = clock.now()
        queue = queue.filter(LessThan(SORT_DUE, now) if filters.overdue else GreaterThanOrEqual(SORT_DUE, now))
    if filters.due_before is not None:
        queue = queue.filter(LessThan(SORT_DUE, _start_of_local_day(filters.due_before)))
    if filters.q and filters.q.strip():
        queue = _matching(queue, filters.q.strip())
    return queue


def _matching(queue: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose title or content contains `text`, ignoring case and Vietnamese marks: the stored
    `folded_text` against the text folded the same way (vn_fold is vn_unaccent's twin). Text shaped like a
    tracking code ("HD-2026-000042", any case) finds that case by its unique index instead: the code is what
    a citizen reads out on the phone.

    `contains` escapes %, _ and \\ in the searched text, so it is matched literally; PostgreSQL chooses
    between walking the queue's index (common words: a page is found at once) and the trigram index on open
    cases (rare words)."""
    code = text.upper()
    if TRACKING_CODE.fullmatch(code):
        return queue.filter(tracking_code=code)
    return queue.filter(folded_text__contains=vn_fold(text))


def _after(queue: QuerySet[Case], cursor: Cursor) -> QuerySet[Case]:
    # A row comparison, not `sort_due > d OR (sort_due = d AND id > i)`: PostgreSQL seeks the index straight
    # to (d, i), whereas the OR form starts at the first row due at d and filters out every earlier tie
    # (hundreds of rows on a deep page, where a whole day's cases share one due time).
    return queue.filter(GreaterThan(Row(SORT_DUE, F("pk")), Row(Value(cursor.due), Value(cursor.id))))


def _start_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _agencies_to_merge(user: User) -> list[int] | None:
    """The agencies whose queues are read one by one and merged, or None to read the queue in one query.

    This mirrors whom cases_for_staff admits (an official or leader: agency_ids_in_reach; an admin: every
    agency) only to choose a query plan: every branch is still built on cases_for_staff, so a mismatch
    could hide cases but never show one, and tests check that the queue equals the funnel for each role.
    An empty list means the user has no agency and may see no case.
    """
    if user.role in {Role.OFFICIAL, Role.LEADER}:
        agency_ids = agency_ids_in_reach(user)
    elif user.role == Role.ADMIN:
        agency_ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True)[: MAX_MERGED_AGENCIES + 1])
    else:
        return None
    return agency_ids if len(agency_ids) <= MAX_MERGED_AGENCIES else None


def case_search_for_staff(*, user: User, filters: QueueFilters, closed_only: bool) -> QuerySet[Case]:
    """Every case `user` may open (`cases_for_staff`) whatever its status, closed cases and linked duplicates
    included (or the closed ones alone with `closed_only`), narrowed by `filters`, the newest first: the
    queue's "closed" and "all" views, read a page at a time rather than worked through."""
    cases = cases_for_staff(user)
    if closed_only:
        cases = cases.filter(closed_at__isnull=False)
    return _filtered(cases, filters, user).order_by("-received_at", "-id")


def case_by_code_for_staff(*, user: User, code: str) -> Case | None:
    """The case with tracking code `code` (any status) if `user` may open it, else None."""
    code = code.strip().upper()
    if not TRACKING_CODE.fullmatch(code):
        return None
    return cases_for_staff(user).filter(tracking_code=code).first()
