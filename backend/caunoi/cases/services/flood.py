"""Flood control at intake: many near-identical submissions in a short time are held for moderation
instead of each taking an official's time and starting a legal clock.

A new submission is compared (pg_trgm similarity of the folded title and text, `cases.folded_text`) with the
cases received in the last FLOOD_WINDOW_MINUTES (at most FLOOD_SCAN_LIMIT of the newest); when at least
FLOOD_SIMILAR_COUNT of them are at least FLOOD_SIMILARITY alike, it is held. It is held, not refused: a
commune office filing a neighbourhood's identical petitions loses nothing, a moderator releases them
(case_release_hold, from /staff/held/ or the admin), and the first few of any wave go through untouched.
Lock order: the held case's row only (case_release_hold); intake takes no lock for the comparison, so two
floods racing may each let one more through, which is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from caunoi.accounts.models import User
from caunoi.core import clock
from caunoi.core.errors import ApplicationError

from ..events import build_event
from ..models import Case, CaseEvent, ClockSegment, EventType
from .deadline import forwarding_deadline, refresh_due
from .notify import notify_citizen

logger = logging.getLogger(__name__)

# Stored on the case and shown to moderators in their language (translated where it is shown).
FLOOD_REASON = gettext_noop("Many near-identical submissions in a short time")
SAMPLE = 160


def similar_recent_count(*, title: str, body: str, now: dt.datetime) -> int:
    """How many cases received in the flood window resemble this text (at most FLOOD_SIMILAR_COUNT: the
    count stops there). Reads at most FLOOD_SCAN_LIMIT rows, by the created_at index, whatever the table's
    size: the recent rows are materialised first, so the planner cannot compute similarity over the table."""
    since = now - dt.timedelta(minutes=settings.FLOOD_WINDOW_MINUTES)
    with connection.cursor() as cursor:
        cursor.execute(
            _SIMILAR_RECENT,
            {
                "since": since,
                "scan": settings.FLOOD_SCAN_LIMIT,
                "text": f"{title} {body}",
                "sample": SAMPLE,
                "likeness": settings.FLOOD_SIMILARITY,
                "enough": settings.FLOOD_SIMILAR_COUNT,
            },
        )
        return int(cursor.fetchone()[0])


# The first SAMPLE characters (the title and the start of the text) stand for the whole: trigram similarity
# costs in proportion to the texts' length. Measured on a loaded two-core machine against 500 recent cases of
# ~800 characters: whole texts 97 ms; samples 29 ms, and 12 ms with the default FLOOD_SCAN_LIMIT of 200.
_SIMILAR_RECENT = f"""
WITH recent AS MATERIALIZED (
  SELECT folded_text FROM {Case._meta.db_table}
  WHERE created_at >= %(since)s ORDER BY created_at DESC LIMIT %(scan)s
)
SELECT count(*) FROM (
  SELECT 1 FROM recent
  WHERE similarity(left(folded_text, %(sample)s), left(vn_unaccent(%(text)s), %(sample)s)) >= %(likeness)s
  LIMIT %(enough)s
) AS alike
"""  # noqa: S608 - the table name is the model's


def flood_hold_reason(*, title: str, body: str, now: dt.datetime) -> tuple[str, int] | None:
    """(reason, similar count) when a submission with this text should be held, else None."""
    if settings.FLOOD_SIMILAR_COUNT <= 0:
        return None
    similar = similar_recent_count(title=title, body=body, now=now)
    if similar < settings.FLOOD_SIMILAR_COUNT:
        return None
    return FLOOD_REASON, similar


class NotHeld(ApplicationError):
    status_code = 409


@transaction.atomic
def case_release_hold(*, case_id: int, by: User) -> Case:
    """Ends the hold of a held case: its clock starts now (due date computed as at intake), the citizen is
    sent the receipt, and it enters its agency's queue. Records `released` and `deadline_set`.
    Raises NotHeld if the case is not held (released meanwhile by someone else)."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.held_at is None:
        raise NotHeld(gettext_noop("This case is not held."))
    now = clock.now()
    held_since = case.held_at
    case.held_at = None
    # The agency's clock starts on release (its first holding); the citizen's clock runs from the receipt.
    case.clock_started_on = clock.local_date(now)
    ClockSegment.objects.create(case=case, agency=case.agency, started_on=case.clock_started_on)
    computation = refresh_due(case)
    case.forward_by = forwarding_deadline(case, case.clock_started_on)
    case.save(update_fields=["held_at", "clock_started_on", "due_at", "due_explanation", "forward_by", "updated_at"])
    due_date = computation.due_date.isoformat() if computation.due_date else None
    CaseEvent.objects.bulk_create(
        [
            build_event(case, EventType.RELEASED, actor=by, at=now, payload={"held_since": held_since.isoformat()}),
            build_event(case, EventType.DEADLINE_SET, at=now, payload={"due_date": due_date}),
        ]
    )
    notify_citizen(case, "case_received", due_date=due_date)
    logger.info("case %s released from hold", case.tracking_code)
    return case
