"""The deadline sweep: reminders before the due date, overdue escalation, and the weekly status update owed
to a citizen while their answer is late (QĐ 574).

Set-based: each step is one SQL statement that marks the cases crossing a threshold (`SweepMark`, unique per
case and mark, inserted with ON CONFLICT DO NOTHING), and from the rows it newly marked writes the events
and the outbox messages. Running the sweep twice, or on two workers at once, marks — and so tells — each
case once: the second insert of a mark waits for the first to commit, then does nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from caunoi.accounts.models import Role
from caunoi.agencies.models import Agency, Membership
from caunoi.core import clock
from caunoi.deadlines.compute import add_working_days
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.notifications.models import Notification
from caunoi.portals.selectors import site_base_urls
from caunoi.workflows.registry import workflows

from ..models import Case, CaseEvent, SweepMark

TZ = "Asia/Ho_Chi_Minh"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    overdue: int
    late_updates: int


def _tables() -> dict[str, str]:
    return {
        "case": Case._meta.db_table,
        "mark": SweepMark._meta.db_table,
        "event": CaseEvent._meta.db_table,
        "outbox": Notification._meta.db_table,
        "agency": Agency._meta.db_table,
        "member": Membership._meta.db_table,
        "user": Membership._meta.get_field("user").related_model._meta.db_table,  # type: ignore[union-attr]
    }


# Reminders and escalations go to staff about cases they work on: not a linked duplicate (its primary's outcome
# reaches it; the primary is reminded) nor a split whole while a part is open (each part has its own clock).
_WORKED_ON = """
    AND c.duplicate_of_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM {case} p WHERE p.split_from_id = c.id AND p.closed_at IS NULL)"""

# From the rows a step newly marked (CTE "marked": case_id, mark), write one event per case.
_EVENTS = """
, events AS (
  INSERT INTO {event} (case_id, type, at, actor_id, status, agency_id, payload,
                       lifecycle_version, routing_version, deadline_version)
  SELECT c.id, %(event_type)s, %(now)s, NULL, c.status, c.agency_id,
         jsonb_build_object('mark', m.mark, 'due_date', to_char((c.due_at AT TIME ZONE '{tz}')::date, 'YYYY-MM-DD')),
         c.lifecycle_version, c.routing_version, c.deadline_version
  FROM marked m JOIN {case} c ON c.id = m.case_id
  RETURNING 1
)
"""

# Officials and leaders to tell: the assignee if there is one, else everyone in the case's agency
# (reminders), or the leaders of the parent agency (escalation; the agency's own leaders at the top).
_STAFF_MESSAGES = """
, staff AS (
  SELECT m.case_id, m.mark, u.id AS user_id, u.email
  FROM marked m
  JOIN {case} c ON c.id = m.case_id
  JOIN {agency} a ON a.id = c.agency_id
  JOIN {member} ms ON ms.agency_id = CASE WHEN %(to_parent)s THEN COALESCE(a.parent_id, a.id) ELSE a.id END
  JOIN {user} u ON u.id = ms.user_id
  WHERE u.is_active AND u.email <> ''
    AND u.role = ANY(%(roles)s)
    AND (%(to_parent)s OR c.assignee_id IS NULL OR c.assignee_id = u.id)
)
, messages AS (
  INSERT INTO {outbox} (channel, recipient, language, template, context, dedupe_key, subject_ref, status,
                        attempts, next_attempt_at, last_error, created_at)
  SELECT 'email', s.email, 'vi', %(template)s,
         jsonb_build_object(
           'tracking_code', c.tracking_code, 'title', c.title, 'agency', a.name,
           'due_date', to_char((c.due_at AT TIME ZONE '{tz}')::date, 'YYYY-MM-DD'),
           'days_before', NULLIF(split_part(s.mark, ':', 2), '')::int,
           'case_url', %(base)s || '/staff/cases/' || c.id || '/'),
         s.mark || ':case:' || c.id || ':user:' || s.user_id, 'case:' || c.id, 'pending', 0, %(now)s, '', %(now)s
  FROM staff s JOIN {case} c ON c.id = s.case_id JOIN {agency} a ON a.id = c.agency_id
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1
)
"""

_REMINDERS = (
    """
WITH thresholds AS (
  SELECT * FROM unnest(%(versions)s::int[], %(kinds)s::text[], %(days)s::int[], %(boundaries)s::date[])
    AS t(version, kind, days_before, boundary)
),
marked AS (
  INSERT INTO {mark} (case_id, mark, created_at)
  SELECT c.id, 'remind:' || t.days_before, %(now)s
  FROM {case} c JOIN thresholds t ON t.version = c.deadline_version AND t.kind = c.kind
  WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL AND c.due_at >= %(now)s
    AND (c.due_at AT TIME ZONE '{tz}')::date <= t.boundary{worked_on}
  ON CONFLICT (case_id, mark) DO NOTHING
  RETURNING case_id, mark
)"""
    + _EVENTS
    + _STAFF_MESSAGES
    + "SELECT count(*) FROM marked"
)

_OVERDUE = (
    """
WITH marked AS (
  INSERT INTO {mark} (case_id, mark, created_at)
  SELECT c.id, 'overdue', %(now)s FROM {case} c
  WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL AND c.due_at < %(now)s{worked_on}
  ON CONFLICT (case_id, mark) DO NOTHING
  RETURNING case_id, mark
)"""
    + _EVENTS
    + _STAFF_MESSAGES
    + "SELECT count(*) FROM marked"
)

_LATE_UPDATES = (
    """
WITH intervals AS (
  SELECT * FROM unnest(%(versions)s::int[], %(kinds)s::text[], %(every)s::int[]) AS i(version, kind, every_days)
),
late AS (
  SELECT c.id, (%(today)s::date - (c.due_at AT TIME ZONE '{tz}')::date) AS days_late, i.every_days
  FROM {case} c JOIN intervals i ON i.version = c.deadline_version AND i.kind = c.kind
  WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL AND c.due_at < %(now)s AND c.split_from_id IS NULL
),
marked AS (
  INSERT INTO {mark} (case_id, mark, created_at)
  SELECT l.id, 'late:' || (l.days_late / l.every_days), %(now)s FROM late l WHERE l.days_late >= l.every_days
  ON CONFLICT (case_id, mark) DO NOTHING
  RETURNING case_id, mark
)"""
    + _EVENTS
    + """
, messages AS (
  INSERT INTO {outbox} (channel, recipient, language, template, context, dedupe_key, subject_ref, status,
                        attempts, next_attempt_at, last_error, created_at)
  SELECT CASE WHEN c.contact_email <> '' THEN 'email' ELSE 'sms' END,
         CASE WHEN c.contact_email <> '' THEN c.contact_email ELSE c.contact_phone END,
         c.language, 'late_status_update',
         jsonb_build_object(
           'tracking_code', c.tracking_code, 'title', c.title,
           'agency', CASE WHEN c.language = 'en' AND a.name_en <> '' THEN a.name_en ELSE a.name END,
           'due_date', to_char((c.due_at AT TIME ZONE '{tz}')::date, 'YYYY-MM-DD'),
           'days_late', %(today)s::date - (c.due_at AT TIME ZONE '{tz}')::date,
           'track_url', COALESCE(%(site_bases)s::jsonb ->> c.site_id::text, %(base)s)
                        || '/track/?code=' || c.tracking_code),
         m.mark || ':case:' || c.id, 'case:' || c.id, 'pending', 0, %(now)s, '', %(now)s
  FROM marked m JOIN {case} c ON c.id = m.case_id JOIN {agency} a ON a.id = c.agency_id
  WHERE c.contact_email <> '' OR c.contact_phone <> ''
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1
)
SELECT count(*) FROM marked"""
)


def _run(sql: str, params: dict[str, Any]) -> int:
    """Runs one step; returns how many cases it newly marked. Only table names are formatted into the SQL
    (from model metadata); every value is a bound parameter."""
    with connection.cursor() as cursor:
        tables = _tables()
        cursor.execute(sql.format(tz=TZ, worked_on=_WORKED_ON.format(**tables), **tables), params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _base_url() -> str:
    return str(settings.PORTAL_BASE_URL).rstrip("/")


def sweep_reminders(*, now: dt.datetime, today: dt.date) -> int:
    """Marks open cases due within their policy's reminder offsets (in working days) and tells their officials."""
    calendar = calendar_in_force()
    boundaries: dict[int, dt.date] = {}
    rows = []
    for version, policy in workflows().deadlines.items():
        for kind, period in policy.kinds.items():
            for days in period.reminder_days_before:
                boundaries.setdefault(days, add_working_days(today, days, calendar))
                rows.append((version, kind, days, boundaries[days]))
    if not rows:
        return 0
    versions, kinds, days_before, last_due = (list(column) for column in zip(*rows, strict=True))
    params = {
        "versions": versions,
        "kinds": kinds,
        "days": days_before,
        "boundaries": last_due,
        "now": now,
        "event_type": "reminded",
        "to_parent": False,
        "roles": [Role.OFFICIAL, Role.LEADER],
        "template": "staff_reminder",
        "base": _base_url(),
    }
    return _run(_REMINDERS, params)


def sweep_overdue(*, now: dt.datetime) -> int:
    """Marks cases that became overdue and escalates each to the leaders of the parent agency."""
    params = {
        "now": now,
        "event_type": "overdue",
        "to_parent": True,
        "roles": [Role.LEADER],
        "template": "staff_escalation",
        "base": _base_url(),
    }
    return _run(_OVERDUE, params)


def sweep_late_updates(*, now: dt.datetime, today: dt.date) -> int:
    """Every N days a case is late (per its policy, e.g. 7 under QĐ 574), tells the citizen it is still
    being handled: mark "late:W" for week W."""
    rows = [
        (version, kind, period.late_status_update_every_days)
        for version, policy in workflows().deadlines.items()
        for kind, period in policy.kinds.items()
        if period.late_status_update_every_days
    ]
    if not rows:
        return 0
    versions, kinds, every = (list(column) for column in zip(*rows, strict=True))
    params = {
        "versions": versions,
        "kinds": kinds,
        "every": every,
        "today": today,
        "now": now,
        "event_type": "late_update",
        "base": _base_url(),
        "site_bases": json.dumps(site_base_urls()),
    }
    return _run(_LATE_UPDATES, params)


def _dispatch_soon() -> None:
    """One task that queues the deliveries in a worker: a sweep may write thousands of messages, and the
    sweep itself should not spend its time publishing a task per message."""
    from caunoi.notifications.tasks import dispatch_pending_notifications

    try:
        dispatch_pending_notifications.delay()
    except Exception:  # the broker is down: the periodic dispatcher picks the messages up
        logger.warning("deadline sweep: could not queue the dispatch of its messages", exc_info=True)


def deadline_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Runs the three steps in one transaction, then queues delivery of the messages they wrote."""
    now = now or clock.now()
    today = clock.local_date(now)
    with transaction.atomic():
        result = SweepResult(
            reminded=sweep_reminders(now=now, today=today),
            overdue=sweep_overdue(now=now),
            late_updates=sweep_late_updates(now=now, today=today),
        )
        transaction.on_commit(_dispatch_soon)
    return result
