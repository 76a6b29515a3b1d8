"""Closing a case: a leader approves the answer (which reaches every linked asker, and completes a split
case when its last part is answered) or rejects it as out of scope."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from caunoi.accounts.models import User
from caunoi.core import clock

from ..events import record
from ..models import AnswerVersion, Case, EventType
from ..signals import case_answered
from .lifecycle import InvalidTransition, apply_transition, lock
from .notify import notify_citizen

ANSWERED = "answered"


def case_approve(*, case: Case, by: User) -> Case:
    """Approves the latest draft: the case is answered, the citizen told; open duplicates linked to it are
    answered with the same text, each asker told; a split part completes its whole when it is the last."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "approve")
        version = case.answer_versions.order_by("-number").first()
        if version is None:
            raise InvalidTransition(_("There is no answer to approve."))
        now = clock.now()
        AnswerVersion.objects.filter(pk=version.pk).update(approved_by=by, approved_at=now)
        version.approved_by, version.approved_at = by, now
        _close_as_answered(case, now)
        record(case, EventType.ANSWERED, actor=by, payload={"version": version.number, "approver": by.username})
        notify_citizen(case, "case_answered", answer=version.body)
        case_answered.send(sender=Case, case=case, answer=version, by=by)
        for duplicate in Case.objects.select_for_update().filter(duplicate_of=case, closed_at__isnull=True):
            _answer_duplicate(duplicate, version.body, by=by, primary=case)
        if case.split_from_id:
            _complete_split(case.split_from_id, by=by)
    return case


def _close_as_answered(case: Case, now: dt.datetime) -> None:
    case.status = ANSWERED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at", "updated_at"])


def _answer_duplicate(duplicate: Case, body: str, *, by: User, primary: Case) -> None:
    now = clock.now()
    answer = AnswerVersion.objects.create(
        case=duplicate, number=1, body=body, author=by, approved_by=by, approved_at=now
    )
    _close_as_answered(duplicate, now)
    record(duplicate, EventType.ANSWERED, actor=by, payload={"version": 1, "via_primary": primary.tracking_code})
    notify_citizen(duplicate, "case_answered", answer=body)
    case_answered.send(sender=Case, case=duplicate, answer=answer, by=by)


def _complete_split(whole_id: int, *, by: User) -> None:
    """When every part of a split case is answered, the whole gets one combined answer."""
    whole = Case.objects.select_for_update().select_related("agency").get(pk=whole_id)
    parts = list(whole.parts.select_related("agency").order_by("tracking_code"))
    if whole.closed_at is not None or any(part.status != ANSWERED for part in parts):
        return
    sections = []
    for part in parts:
        approved = part.answer_versions.exclude(approved_at=None).order_by("-number").first()
        sections.append(f"{part.agency.name}:\n{approved.body if approved else ''}")
    combined = "\n\n".join(sections)
    now = clock.now()
    number = (whole.answer_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    answer = AnswerVersion.objects.create(
        case=whole, number=number, body=combined, author=by, approved_by=by, approved_at=now
    )
    _close_as_answered(whole, now)
    record(whole, EventType.ANSWERED, actor=by, payload={"version": number, "parts": [p.tracking_code for p in parts]})
    notify_citizen(whole, "case_answered", answer=combined)
    case_answered.send(sender=Case, case=whole, answer=answer, by=by)


def case_reject(*, case: Case, by: User, reason: str, pointer: str) -> Case:
    """Closes the case as outside the platform's remit, telling the citizen why and where to go instead
    (complaints and denunciations follow their own legal procedures)."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "reject")
        case.closed_at = clock.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        record(case, EventType.REJECTED, actor=by, payload={"reason": reason.strip(), "pointer": pointer.strip()})
        notify_citizen(case, "case_rejected", reason=reason.strip(), pointer=pointer.strip())
    return case
