"""The deadline sweep: reminders before the due date, overdue escalation, and the weekly status update owed
to a citizen while their answer is late (QĐ 574).

Set-based: each step is one SQL statement that marks the cases crossing a threshold (`SweepMark`, unique per
case, deadline and mark, inserted with ON CONFLICT DO NOTHING), and from the rows it newly marked writes the
events and the outbox messages. Running the sweep twice, or on two workers at once, marks — and so tells —
each case once per deadline: the second insert of a mark waits for the first to commit, then does nothing.
A mark names the deadline (its date) it was made for, so a moved due date is swept afresh: reminders before
it, overdue after it, and the late cadence counted in weeks from it.

The forwarding period (Decree 20/2008: an agency that is not competent forwards within 5 working days of
receipt) has its own reminder and overdue marks, for cases nobody at the agency has taken up yet.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from caunoi.accounts.models import Role
from caunoi.agencies.models import Agency, Membership
from caunoi.core import clock
from caunoi.deadlines.compute import add_working_days, nth_working_day_before
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
    forwarding_reminded: int = 0
    forwarding_overdue: int = 0
    escalated: int = 0


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

# Who is told of a newly marked threshold, so that every alert reaches a person:
# - targets: the agency the alert is meant for: the case's own (reminders, forwarding), or for escalation
#   level L ("overdue" is level 1, "escalate:L" the others) the ancestor L levels up, the top at most;
# - the assignee alone, for reminders, while they are active;
# - else the members of the needed roles of the nearest agency, from the target up through its ancestors
#   (the path lists them), that has an active one with an e-mail address ("agency" or "nearest_above");
# - else the leaders of the triage desk (the routing fallback: "triage_desk"); if even it has none, the event
#   says "no_one" and an administrator sees it on the case's timeline.
# The nearest agency with someone to tell is looked up once per distinct target agency (ancestors read by
# primary key), and the names told are aggregated once: both are hash-joined to the marked cases.
_STAFF_MESSAGES = """
, targets AS (
  SELECT m.case_id, m.due_on, m.mark, c.assignee_id,
         CASE WHEN m.mark LIKE 'escalate:%%' THEN split_part(m.mark, ':', 2)::int
              WHEN %(climb)s THEN 1 ELSE 0 END AS level,
         split_part(a.path, '/',
           GREATEST(a.depth - CASE WHEN m.mark LIKE 'escalate:%%' THEN split_part(m.mark, ':', 2)::int
                                   WHEN %(climb)s THEN 1 ELSE 0 END, 0) + 2)::bigint AS target_id
  FROM marked m JOIN {case} c ON c.id = m.case_id JOIN {agency} a ON a.id = c.agency_id
)
, assignees AS (
  SELECT t.case_id, t.mark, u.id AS user_id, u.username, u.email
  FROM targets t JOIN {user} u ON u.id = t.assignee_id
  WHERE NOT %(climb)s AND u.is_active AND u.email <> '' AND u.role = ANY(%(roles)s)
)
, reach AS (  -- once per distinct target agency (a handful), not once per case
  SELECT tg.id AS target_id, h.id AS reached_id
  FROM (SELECT DISTINCT target_id FROM targets) d
  JOIN {agency} tg ON tg.id = d.target_id
  LEFT JOIN LATERAL (
    SELECT up.id FROM {agency} up
    WHERE up.id = ANY(string_to_array(trim(both '/' from tg.path), '/')::bigint[])
      AND EXISTS (SELECT 1 FROM {member} ms JOIN {user} u ON u.id = ms.user_id
                  WHERE ms.agency_id = up.id AND u.is_active AND u.email <> '' AND u.role = ANY(%(roles)s))
    ORDER BY up.depth DESC LIMIT 1
  ) h ON TRUE
)
, told AS (
  SELECT t.case_id, t.due_on, t.mark, t.level, t.target_id,
         CASE WHEN x.user_id IS NOT NULL THEN t.target_id ELSE COALESCE(r.reached_id, %(triage)s) END AS agency_id,
         CASE WHEN x.user_id IS NOT NULL THEN 'assignee'
              WHEN r.reached_id = t.target_id THEN 'agency'
              WHEN r.reached_id IS NOT NULL THEN 'nearest_above'
              ELSE 'triage_desk' END AS why
  FROM targets t
  JOIN reach r ON r.target_id = t.target_id
  LEFT JOIN assignees x ON x.case_id = t.case_id AND x.mark = t.mark
)
, staff AS (
  SELECT x.case_id, x.mark, x.user_id, x.username, x.email FROM assignees x
  UNION ALL
  SELECT t.case_id, t.mark, u.id, u.username, u.email
  FROM told t JOIN {member} ms ON ms.agency_id = t.agency_id JOIN {user} u ON u.id = ms.user_id
  WHERE t.why <> 'assignee' AND u.is_active AND u.email <> ''
    AND u.role = ANY(CASE WHEN t.why = 'triage_desk' THEN %(triage_roles)s::text[] ELSE %(roles)s::text[] END)
)
, named AS (  -- aggregated once and hash-joined: a lookup per event would read the whole CTE each time
  SELECT case_id, mark, jsonb_agg(username ORDER BY username) AS usernames FROM staff GROUP BY case_id, mark
)
, events AS (
  INSERT INTO {event} (case_id, type, at, actor_id, status, agency_id, payload,
                       lifecycle_version, routing_version, deadline_version)
  SELECT c.id, CASE WHEN t.mark LIKE 'escalate:%%' THEN 'escalated' ELSE %(event_type)s END, %(now)s, NULL,
         c.status, c.agency_id,
         jsonb_build_object(
           'mark', t.mark, 'due_date', to_char(t.due_on, 'YYYY-MM-DD'), 'level', NULLIF(t.level, 0),
           'meant_for', tg.code, 'notified_agency', told_agency.code,
           'notified', COALESCE(n.usernames, '[]'::jsonb),
           'why', CASE WHEN n.usernames IS NULL THEN 'no_one' ELSE t.why END),
         c.lifecycle_version, c.routing_version, c.deadline_version
  FROM told t
  JOIN {case} c ON c.id = t.case_id
  JOIN {agency} tg ON tg.id = t.target_id
  LEFT JOIN {agency} told_agency ON told_agency.id = t.agency_id
  LEFT JOIN named n ON n.case_id = t.case_id AND n.mark = t.mark
  RETURNING 1
)
, messages AS (
  INSERT INTO {outbox} (channel, recipient, language, template, context, dedupe_key, subject_ref, status,
                        attempts, next_attempt_at, last_error, created_at)
  SELECT 'email', s.email, 'vi', %(template)s,
         jsonb_build_object(
           'tracking_code', c.tracking_code, 'title', c.title, 'agency', a.name,
           'due_date', to_char(t.due_on, 'YYYY-MM-DD'),
           'days_before', CASE WHEN s.mark LIKE '%%remind:%%' THEN split_part(s.mark, ':', 2)::int END,
           'level', NULLIF(t.level, 0), 'why', t.why, 'meant_for', mt.name,
           'case_url', %(base)s || '/staff/cases/' || c.id || '/'),
         s.mark || '@' || t.due_on || ':case:' || c.id || ':user:' || s.user_id, 'case:' || c.id, 'pending', 0,
         %(now)s, '', %(now)s
  FROM staff s
  JOIN told t ON t.case_id = s.case_id AND t.mark = s.mark
  JOIN {agency} mt ON mt.id = t.target_id
  JOIN {case} c ON c.id = s.case_id JOIN {agency} a ON a.id = c.agency_id
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
  INSERT INTO {mark} (case_id, due_on, mark, created_at)
  SELECT c.id, (c.due_at AT TIME ZONE '{tz}')::date, 'remind:' || t.days_before, %(now)s
  FROM {case} c JOIN thresholds t ON t.version = c.deadline_version AND t.kind = c.kind
  WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL AND c.due_at >= %(now)s
    AND (c.due_at AT TIME ZONE '{tz}')::date <= t.boundary{worked_on}
  ON CONFLICT (case_id, due_on, mark) DO NOTHING
  RETURNING case_id, due_on, mark
)"""
    + _STAFF_MESSAGES
    + "SELECT count(*) FROM marked"
)

_OVERDUE = (
    """
WITH levels AS (
  SELECT * FROM unnest(%(versions)s::int[], %(levels)s::int[], %(boundaries)s::date[])
    AS l(version, level, boundary)
),
marked AS (
  INSERT INTO {mark} (case_id, due_on, mark, created_at)
  SELECT c.id, (c.due_at AT TIME ZONE '{tz}')::date,
         CASE WHEN l.level = 1 THEN 'overdue' ELSE 'escalate:' || l.level END, %(now)s
  FROM {case} c
  JOIN {agency} a ON a.id = c.agency_id
  JOIN levels l ON l.version = c.deadline_version AND l.level <= GREATEST(a.depth, 1)
  WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL AND c.due_at < %(now)s
    AND (c.due_at AT TIME ZONE '{tz}')::date < l.boundary{worked_on}
  ON CONFLICT (case_id, due_on, mark) DO NOTHING
  RETURNING case_id, due_on, mark
)"""
    + _STAFF_MESSAGES
    + "SELECT count(*) FILTER (WHERE mark = 'overdue'), count(*) FILTER (WHERE mark <> 'overdue') FROM marked"
)

_LATE_UPDATES = """
WITH intervals AS (
  SELECT * FROM unnest(%(versions)s::int[], %(kinds)s::text[], %(every)s::int[]) AS i(version, kind, every_days)
),
late AS (
  SELECT c.id, (c.due_at AT TIME ZONE '{tz}')::date AS due_on, i.every_days
  FROM {case} c JOIN intervals i ON i.version = c.deadline_version AND i.kind = c.kind
  WHERE c.closed_at IS NULL AND c.due_at IS NOT NULL AND c.due_at < %(now)s AND c.split_from_id IS NULL
),
marked AS (
  -- Every week reached is marked, also weeks a sweep missed (the beat was down), so each threshold of each
  -- deadline is accounted for once; the citizen gets one message, for the newest week (below).
  INSERT INTO {mark} (case_id, due_on, mark, created_at)
  SELECT l.id, l.due_on, 'late:' || w.week, %(now)s
  FROM late l CROSS JOIN LATERAL generate_series(1, (%(today)s::date - l.due_on) / l.every_days) AS w(week)
  ON CONFLICT (case_id, due_on, mark) DO NOTHING
  RETURNING case_id, due_on, mark
)
, newest AS (  -- per case (one due date each): the newest week newly reached, and all of them
  SELECT case_id, min(due_on) AS due_on, 'late:' || max(split_part(mark, ':', 2)::int) AS mark,
         jsonb_agg(split_part(mark, ':', 2)::int ORDER BY split_part(mark, ':', 2)::int) AS weeks
  FROM marked GROUP BY case_id
)
, events AS (
  INSERT INTO {event} (case_id, type, at, actor_id, status, agency_id, payload,
                       lifecycle_version, routing_version, deadline_version)
  SELECT c.id, %(event_type)s, %(now)s, NULL, c.status, c.agency_id,
         jsonb_build_object('mark', m.mark, 'due_date', to_char(m.due_on, 'YYYY-MM-DD'), 'weeks', m.weeks),
         c.lifecycle_version, c.routing_version, c.deadline_version
  FROM newest m JOIN {case} c ON c.id = m.case_id
  RETURNING 1
)
, messages AS (
  INSERT INTO {outbox} (channel, recipient, language, template, context, dedupe_key, subject_ref, status,
                        attempts, next_attempt_at, last_error, created_at)
  SELECT CASE WHEN c.contact_email <> '' THEN 'email' ELSE 'sms' END,
         CASE WHEN c.contact_email <> '' THEN c.contact_email ELSE c.contact_phone END,
         c.language, 'late_status_update',
         jsonb_build_object(
           'tracking_code', c.tracking_code, 'title', c.title,
           'agency', CASE WHEN c.language = 'en' AND a.name_en <> '' THEN a.name_en ELSE a.name END,
           'due_date', to_char(m.due_on, 'YYYY-MM-DD'),
           'days_late', %(today)s::date - m.due_on,
           'track_url', COALESCE(%(site_bases)s::jsonb ->> c.site_id::text, %(base)s)
                        || '/track/?code=' || c.tracking_code),
         m.mark || '@' || m.due_on || ':case:' || c.id, 'case:' || c.id, 'pending', 0, %(now)s, '', %(now)s
  FROM newest m JOIN {case} c ON c.id = m.case_id JOIN {agency} a ON a.id = c.agency_id
  WHERE c.contact_email <> '' OR c.contact_phone <> ''
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1
)
SELECT count(*) FROM newest"""

# The forwarding period runs while nobody at the agency has taken the case up (it is in a lifecycle's
# initial state): once claimed, the agency has accepted it as its own.
_FORWARDING_REMINDERS = (
    """
WITH thresholds AS (
  SELECT * FROM unnest(%(versions)s::int[], %(days)s::int[], %(boundaries)s::date[])
    AS t(version, days_before, boundary)
),
marked AS (
  INSERT INTO {mark} (case_id, due_on, mark, created_at)
  SELECT c.id, c.forward_by, 'forward_remind:' || t.days_before, %(now)s
  FROM {case} c JOIN thresholds t ON t.version = c.deadline_version
  WHERE c.closed_at IS NULL AND c.status = ANY(%(waiting_states)s) AND c.forward_by IS NOT NULL
    AND c.forward_by >= %(today)s AND c.forward_by <= t.boundary{worked_on}
  ON CONFLICT (case_id, due_on, mark) DO NOTHING
  RETURNING case_id, due_on, mark
)"""
    + _STAFF_MESSAGES
    + "SELECT count(*) FROM marked"
)

_FORWARDING_OVERDUE = (
    """
WITH marked AS (
  INSERT INTO {mark} (case_id, due_on, mark, created_at)
  SELECT c.id, c.forward_by, 'forward_overdue', %(now)s FROM {case} c
  WHERE c.closed_at IS NULL AND c.status = ANY(%(waiting_states)s) AND c.forward_by IS NOT NULL
    AND c.forward_by < %(today)s{worked_on}
  ON CONFLICT (case_id, due_on, mark) DO NOTHING
  RETURNING case_id, due_on, mark
)"""
    + _STAFF_MESSAGES
    + "SELECT count(*) FROM marked"
)


def _run(sql: str, params: dict[str, Any]) -> int:
    """Runs one step; returns how many cases it newly marked. Only table names are formatted into the SQL
    (from model metadata); every value is a bound parameter."""
    return _run_counts(sql, params)[0]


def _run_counts(sql: str, params: dict[str, Any]) -> tuple[int, ...]:
    # JIT compilation is off for the steps: the planner cannot see how few rows set-returning functions such as
    # the late cadence's generate_series give, over-estimates, and compiles for 0.2 to 1+ s a statement that
    # runs in milliseconds. SET LOCAL lasts to the end of the sweep's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        tables = _tables()
        cursor.execute(sql.format(tz=TZ, worked_on=_WORKED_ON.format(**tables), **tables), params)
        row = cursor.fetchone()
    return tuple(int(n) for n in row) if row else (0,)


def _base_url() -> str:
    return str(settings.PORTAL_BASE_URL).rstrip("/")


def _triage_desk_id() -> int | None:
    """The agency of last resort for alerts: the newest routing rules' fallback, the triage desk."""
    code = workflows().routing.fallback_agency
    return Agency.objects.filter(code=code).values_list("id", flat=True).first()


def _common_recipients() -> dict[str, Any]:
    return {"triage": _triage_desk_id(), "triage_roles": [Role.LEADER], "base": _base_url()}


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
        "climb": False,
        "roles": [Role.OFFICIAL, Role.LEADER],
        "template": "staff_reminder",
        **_common_recipients(),
    }
    return _run(_REMINDERS, params)


def _escalation_levels(today: dt.date) -> list[tuple[int, int, dt.date]]:
    """(policy version, level, boundary): a case overdue under `version` reaches `level` when its due date is
    before `boundary`. Level 1 is reached on becoming overdue; level L once (L - 1) x N whole working days
    have passed since the due date (N: the policy's escalation cadence), up to the depth of the agency tree."""
    calendar = calendar_in_force()
    depth = max(Agency.objects.aggregate(deepest=Max("depth"))["deepest"] or 0, 1)
    rows = []
    for version, policy in workflows().deadlines.items():
        rows.append((version, 1, today + dt.timedelta(days=1)))
        every = policy.escalation_every_working_days
        if every:
            rows.extend(
                (version, level, nth_working_day_before(today, (level - 1) * every, calendar))
                for level in range(2, depth + 1)
            )
    return rows


def sweep_overdue(*, now: dt.datetime, today: dt.date | None = None) -> tuple[int, int]:
    """Marks cases that became overdue and escalates each to the leaders of the parent agency, then one
    level further up per the policy's cadence of working days late ("escalate:L").
    Returns (cases newly overdue, further escalations made)."""
    today = today or clock.local_date(now)
    versions, levels, boundaries = (list(column) for column in zip(*_escalation_levels(today), strict=True))
    params = {
        "versions": versions,
        "levels": levels,
        "boundaries": boundaries,
        "now": now,
        "event_type": "overdue",
        "climb": True,
        "roles": [Role.LEADER],
        "template": "staff_escalation",
        **_common_recipients(),
    }
    newly_overdue, escalated = _run_counts(_OVERDUE, params)
    return newly_overdue, escalated


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


def _waiting_states() -> list[str]:
    return sorted({lifecycle.initial for lifecycle in workflows().lifecycles.values()})


def sweep_forwarding(*, now: dt.datetime, today: dt.date) -> tuple[int, int]:
    """Reminds the agency holding a case nobody has taken up that its forwarding period ends soon (the
    policy's forwarding reminder offsets, 1 working day by default), then marks the period passed; both go
    to the agency's officials and leaders. Returns (reminded, overdue)."""
    calendar = calendar_in_force()
    rows = [
        (version, days, add_working_days(today, days, calendar))
        for version, policy in workflows().deadlines.items()
        for days in (policy.forwarding.reminder_days_before or (1,))
    ]
    common = {
        "now": now,
        "today": today,
        "waiting_states": _waiting_states(),
        "climb": False,
        "roles": [Role.OFFICIAL, Role.LEADER],
        **_common_recipients(),
    }
    versions, days_before, boundaries = (list(column) for column in zip(*rows, strict=True))
    reminded = _run(
        _FORWARDING_REMINDERS,
        {
            **common,
            "versions": versions,
            "days": days_before,
            "boundaries": boundaries,
            "event_type": "forwarding_reminded",
            "template": "staff_forwarding_reminder",
        },
    )
    overdue = _run(
        _FORWARDING_OVERDUE,
        {**common, "event_type": "forwarding_overdue", "template": "staff_forwarding_overdue"},
    )
    return reminded, overdue


def _dispatch_soon() -> None:
    """One task that queues the deliveries in a worker: a sweep may write thousands of messages, and the
    sweep itself should not spend its time publishing a task per message."""
    from caunoi.notifications.tasks import dispatch_pending_notifications

    try:
        dispatch_pending_notifications.delay()
    except Exception:  # the broker is down: the periodic dispatcher picks the messages up
        logger.warning("deadline sweep: could not queue the dispatch of its messages", exc_info=True)


def deadline_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Runs the steps in one transaction, then queues delivery of the messages they wrote."""
    now = now or clock.now()
    today = clock.local_date(now)
    with transaction.atomic():
        forwarding_reminded, forwarding_overdue = sweep_forwarding(now=now, today=today)
        reminded = sweep_reminders(now=now, today=today)
        overdue, escalated = sweep_overdue(now=now, today=today)
        result = SweepResult(
            reminded=reminded,
            overdue=overdue,
            escalated=escalated,
            late_updates=sweep_late_updates(now=now, today=today),
            forwarding_reminded=forwarding_reminded,
            forwarding_overdue=forwarding_overdue,
        )
        transaction.on_commit(_dispatch_soon)
    return result
