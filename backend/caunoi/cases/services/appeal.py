"""The second stage: a citizen who disagrees with the answer appeals, once, within the deadline policy's
`appeal.window` after the answer. The case reopens with a clock of its own (`appeal.handling`, set by
`refresh_due` like every other due date) at the agency the policy names, and goes through the same queue,
drafting and review as the first stage; the approved answer is the appeal's decision.

The second stage opens under the newest lifecycle and deadline policy (an appeal is a procedure of its own,
and a case opened before appeals existed could otherwise never have one); the event records the versions.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency
from caunoi.core import clock
from caunoi.core.errors import ApplicationError, ValidationFailed
from caunoi.core.transactions import service_transaction
from caunoi.workflows.registry import workflows
from caunoi.workflows.types import AppealPolicy

from ..events import build_event
from ..models import Case, ClockSegment, EventType, Message
from ..selectors import appeal_last_day, appeal_policy
from .deadline import refresh_due
from .lifecycle import apply_transition, lock
from .notify import notify_citizen, notify_staff

ANSWERED = "answered"


class AppealRefused(ApplicationError):
    """The case cannot be appealed: not answered, already appealed, or the period is over."""

    status_code = 409


@service_transaction
def case_appeal(*, case: Case, reason: str) -> Case:
    """The citizen appeals the answer. The case becomes stage 2 in state `appealed`, open again (closed_at
    NULL), at the agency the policy routes it to, with a due date from today; the reason is kept as the
    citizen's message; the citizen and the reconsidering agency's leaders are told.

    Raises ValidationFailed (400) for an empty reason, AppealRefused (409) when the case is not answered, was
    appealed already, or the window closed."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why you disagree with the answer.")]})
    with transaction.atomic():
        case = lock(case)
        offered = appeal_policy()
        if offered is None:
            raise AppealRefused(_("Answers cannot be appealed on this portal."))
        deadline_version, policy = offered
        if case.stage >= 2 and case.closed_at is None:
            raise AppealRefused(_("You have already appealed: the answer is being reconsidered."))
        if case.stage >= 2:
            raise AppealRefused(
                _(
                    "This answer was already reconsidered at your request; it cannot be appealed again here. "
                    "A formal complaint follows the Law on Complaints."
                )
            )
        if case.status != ANSWERED:
            raise AppealRefused(_("Only an answered request can be appealed."))
        if case.split_from_id:
            # A part's answer reached the citizen inside the whole's: reopening the part alone would answer nobody.
            raise AppealRefused(_("This is a part of a request answered as a whole: appeal the whole request instead."))
        last_day = appeal_last_day(case, policy)
        if last_day is None or clock.local_date() > last_day:
            raise AppealRefused(
                _("The period for appealing this answer ended on %(date)s.")
                % {"date": last_day.strftime("%d/%m/%Y") if last_day else "—"}
            )
        answered_by = case.agency
        case.lifecycle_version, case.deadline_version = workflows().lifecycle.version, deadline_version
        apply_transition(case, "appeal")
        today = clock.local_date()
        case.agency = _reconsidering_agency(answered_by, policy)
        case.assignee, case.stage, case.closed_at, case.forward_by = None, 2, None, None
        # A duplicate's asker appeals their own case: it leaves the primary and is handled on its own.
        case.duplicate_of = None
        case.clock_started_on = today
        if case.agency_id != answered_by.pk:  # the reconsidering agency holds the case from today (clocks.py)
            ClockSegment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today)
            ClockSegment.objects.create(case=case, agency=case.agency, started_on=today)
        computation = refresh_due(case)
        case.save()
        message = Message.objects.create(case=case, direction=Message.Direction.FROM_CITIZEN, body=reason)
        due_date = computation.due_date.isoformat() if computation.due_date else None
        event = build_event(
            case,
            EventType.APPEALED,
            payload={
                "message": message.pk,
                "from": answered_by.code,
                "to": case.agency.code,
                "due_date": due_date,
                "lifecycle_version": case.lifecycle_version,
                "deadline_version": case.deadline_version,
            },
        )
        event.agency = answered_by  # counted against the answer appealed (reports: appeals, reopen rate)
        event.save(force_insert=True)
        notify_citizen(case, "case_appealed", due_date=due_date)
        for leader in _leaders(case.agency):
            notify_staff(leader, case, "staff_appeal", due_date=due_date, reason=reason)
    return case


def _leaders(agency: Agency) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=Role.LEADER, memberships__agency=agency).order_by("pk").distinct()
    )


def _reconsidering_agency(answered_by: Agency, policy: AppealPolicy) -> Agency:
    """`parent_agency`: the level above (the answering agency itself at the top). `answering_agency`: its
    leaders reconsider, or its parent's when it has none (an answer is not reconsidered by its drafter)."""
    parent = Agency.objects.filter(pk=answered_by.parent_id, is_active=True).first() if answered_by.parent_id else None
    if policy.route_to == "parent_agency":
        return parent or answered_by
    if parent is not None and not _leaders(answered_by):
        return parent
    return answered_by
