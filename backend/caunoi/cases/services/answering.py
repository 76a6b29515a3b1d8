"""Closing a case: a leader approves the answer (which reaches every linked asker, and completes a split
case when its last part is answered) or rejects it as out of scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from caunoi.accounts.models import User
from caunoi.core import clock
from caunoi.core.transactions import service_transaction

from ..events import record
from ..models import AnswerVersion, Case, EventType
from ..selectors import appeal_last_day, appeal_policy
from ..signals import case_answered
from .lifecycle import InvalidTransition, apply_transition, lock
from .notify import notify_citizen

ANSWERED = "answered"
REJECTED = "rejected"


class StaleDraft(InvalidTransition):
    """The version the leader approves is not the latest draft: someone saved a newer one meanwhile."""


@service_transaction
def case_approve(*, case: Case, by: User, version: int) -> Case:
    """Approves draft `version`, which must be the latest: the case is answered, the citizen told; open
    duplicates linked to it are answered with the same text, each asker told; a split part completes its
    whole when it is the last. Raises StaleDraft (409) when a newer draft exists or `version` does not, so a
    leader never approves a text they have not seen."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "approve")
        latest = case.answer_versions.order_by("-number").first()
        if latest is None:
            raise InvalidTransition(_("There is no answer to approve."))
        if latest.number != version:
            raise StaleDraft(
                _("Version %(version)s is not the latest draft: read version %(latest)s before approving it.")
                % {"version": version, "latest": latest.number}
            )
        version_row = latest
        now = clock.now()
        AnswerVersion.objects.filter(pk=version_row.pk).update(approved_by=by, approved_at=now)
        version_row.approved_by, version_row.approved_at = by, now
        _close_as_answered(case, now)
        record(
            case,
            EventType.ANSWERED,
            actor=by,
            payload={"version": version_row.number, "approver": by.username, **_clock_payload(case)},
        )
        # In the second stage the answer is the appeal's decision, and the message says so.
        if case.stage >= 2:
            notify_citizen(case, "case_appeal_decided", answer=version_row.body)
        else:
            notify_citizen(case, "case_answered", answer=version_row.body, appeal_until=_appeal_until(case))
        case_answered.send(sender=Case, case=case, answer=version_row, by=by)
        _answer_duplicates(case, version_row.body, by=by)
        if case.split_from_id:
            _complete_split(case.split_from_id, by=by)
    return case


def _clock_payload(case: Case) -> dict[str, Any]:
    """The clock the answer ended, kept with the event: an appeal later restarts the case's clock and due
    date, and reports must still judge this answer against its own (reports/figures.py)."""
    return {
        "stage": case.stage,
        "clock_started_on": case.clock_started_on.isoformat(),
        "due_at": case.due_at.isoformat() if case.due_at else None,
    }


def _appeal_until(case: Case) -> str:
    """The last day to appeal the answer just given, for the message (ISO), or "" when there is no appeal."""
    offered = appeal_policy()
    last_day = appeal_last_day(case, offered[1]) if offered else None
    return last_day.isoformat() if last_day else ""


def _close_as_answered(case: Case, now: dt.datetime) -> None:
    case.status = ANSWERED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at", "updated_at"])


def _open_duplicates(primary: Case) -> list[Case]:
    # Lock order (see services/__init__.py): the primary is locked already; its duplicates follow, by id.
    return list(
        Case.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(duplicate_of=primary, closed_at__isnull=True)
        .order_by("pk")
    )


def _answer_duplicates(primary: Case, body: str, *, by: User) -> None:
    for duplicate in _open_duplicates(primary):
        _answer_duplicate(duplicate, body, by=by, primary=primary)


def _answer_duplicate(duplicate: Case, body: str, *, by: User, primary: Case) -> None:
    now = clock.now()
    answer = AnswerVersion.objects.create(
        case=duplicate, number=1, body=body, author=by, approved_by=by, approved_at=now
    )
    _close_as_answered(duplicate, now)
    record(
        duplicate,
        EventType.ANSWERED,
        actor=by,
        payload={"version": 1, "via_primary": primary.tracking_code, **_clock_payload(duplicate)},
    )
    notify_citizen(duplicate, "case_answered", answer=body)
    case_answered.send(sender=Case, case=duplicate, answer=answer, by=by)


def _complete_split(whole_id: int, *, by: User) -> None:
    """When every part of a split case is closed, the whole gets one combined answer (a rejected part says
    why and where to turn instead), or is rejected when every part was; its duplicates get the same."""
    whole = Case.objects.select_for_update(of=("self",)).select_related("agency").get(pk=whole_id)
    parts = list(whole.parts.select_related("agency").order_by("tracking_code"))
    if whole.closed_at is not None or any(part.closed_at is None for part in parts):
        return
    now = clock.now()
    if all(part.status == REJECTED for part in parts):
        reason = "\n".join(f"{p.agency.name}: {_rejection(p)['reason']}" for p in parts)
        pointer = "\n".join(filter(None, (_rejection(p)["pointer"] for p in parts)))
        _close_as_rejected(whole, by=by, reason=reason, pointer=pointer, now=now, payload={"parts": _codes(parts)})
        return
    sections = []
    for part in parts:
        approved = part.answer_versions.exclude(approved_at=None).order_by("-number").first()
        if approved is not None:
            sections.append(f"{part.agency.name}:\n{approved.body}")
        else:
            rejection = _rejection(part)
            sections.append(f"{part.agency.name}:\n{rejection['reason']} {rejection['pointer']}".rstrip())
    combined = "\n\n".join(sections)
    number = (whole.answer_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    answer = AnswerVersion.objects.create(
        case=whole, number=number, body=combined, author=by, approved_by=by, approved_at=now
    )
    _close_as_answered(whole, now)
    record(
        whole,
        EventType.ANSWERED,
        actor=by,
        payload={"version": number, "parts": _codes(parts), **_clock_payload(whole)},
    )
    notify_citizen(whole, "case_answered", answer=combined)
    case_answered.send(sender=Case, case=whole, answer=answer, by=by)
    _answer_duplicates(whole, combined, by=by)


def _codes(parts: list[Case]) -> list[str]:
    return [p.tracking_code for p in parts]


def _rejection(case: Case) -> dict[str, str]:
    event = case.events.filter(type=EventType.REJECTED).order_by("-at", "-id").first()
    payload = event.payload if event else {}
    return {"reason": payload.get("reason", ""), "pointer": payload.get("pointer", "")}


def _close_as_rejected(
    case: Case, *, by: User, reason: str, pointer: str, now: dt.datetime, payload: dict[str, Any] | None = None
) -> None:
    case.status = REJECTED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at", "updated_at"])
    record(case, EventType.REJECTED, actor=by, payload={"reason": reason, "pointer": pointer, **(payload or {})})
    notify_citizen(case, "case_rejected", reason=reason, pointer=pointer)
    for duplicate in _open_duplicates(case):
        _close_as_rejected(
            duplicate, by=by, reason=reason, pointer=pointer, now=now, payload={"via_primary": case.tracking_code}
        )


@service_transaction
def case_reject(*, case: Case, by: User, reason: str, pointer: str) -> Case:
    """Closes the case as outside the platform's remit, telling the citizen why and where to go instead
    (complaints and denunciations follow their own legal procedures). Its open duplicates are closed the
    same way, each asker told; a rejected part lets its split whole complete when it was the last open."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "reject")
        _close_as_rejected(case, by=by, reason=reason.strip(), pointer=pointer.strip(), now=clock.now())
        if case.split_from_id:
            _complete_split(case.split_from_id, by=by)
    return case
