"""Moving work between agencies and cases: transfer, split into parts, link duplicates."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency
from caunoi.core import clock
from caunoi.core.errors import ValidationFailed
from caunoi.core.transactions import service_transaction

from ..events import build_event, record
from ..models import Case, CaseEvent, ClockSegment, EventType
from ..selectors import citizen_sentence
from .deadline import forwarding_deadline, refresh_due
from .lifecycle import InvalidTransition, apply_transition, check_action, lock, lock_in_order
from .notify import notify_citizen


@service_transaction
def case_transfer(*, case: Case, by: User, to_agency: Agency, reason: str) -> Case:
    """Sends the case to the competent agency. An agency that never held the case starts its own clock on
    arrival (Decree 20/2008); one that held it before continues its earlier clock, the days others held it
    not counting (`cases/clocks.py`). The sending agency's forwarding period (5 working days from receipt)
    is recorded as met or missed. Locks the case, then its clock segments (the case's own rows)."""
    with transaction.atomic():
        case = lock(case)
        if to_agency.pk == case.agency_id or not to_agency.is_active:
            raise ValidationFailed({"agency": [_("Choose another, active agency.")]})
        apply_transition(case, "transfer")
        today = clock.local_date()
        forwarded_late = bool(case.forward_by and today > case.forward_by)
        previous = case.agency
        ClockSegment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today)
        ClockSegment.objects.create(case=case, agency=to_agency, started_on=today)
        earlier = ClockSegment.objects.filter(case=case, agency=to_agency).order_by("started_on", "id").first()
        case.agency, case.assignee = to_agency, None
        case.clock_started_on = earlier.started_on if earlier else today
        case.forward_by = forwarding_deadline(case, today)
        case.routing_explanation = {
            "rule": None,
            "transferred_from": previous.code,
            "reason": reason.strip(),
            "by": by.username,
            "agency": to_agency.code,
        }
        computation = refresh_due(case)
        case.save()
        due_date = computation.due_date.isoformat() if computation.due_date else None
        continued = case.clock_started_on != today
        event = record(
            case,
            EventType.TRANSFERRED,
            actor=by,
            payload={
                "from": previous.code,
                "to": to_agency.code,
                "reason": reason.strip(),
                "due_date": due_date,
                "forwarded_late": forwarded_late,
                # The receiving agency held the case before: its earlier clock continues.
                "clock_continued_from": case.clock_started_on.isoformat() if continued else None,
            },
        )
        notify_citizen(
            case,
            "case_transferred",
            reason=reason.strip(),
            due_date=due_date,
            change=citizen_sentence(event, case.language),  # the track page's words for it
        )
    return case


@service_transaction
def case_link_duplicate(*, case: Case, by: User, primary: Case) -> Case:
    """Links `case` to `primary`: the primary's outcome (its approved answer, or its rejection) will reach
    this case's asker too, who is told of the merge now. The case's own duplicates move to the primary, so
    merging never loses an asker. Raises InvalidTransition (409) when either is closed, the primary is itself
    a duplicate, or either is a part of a split case (a part's answer belongs to its whole).

    Both rows are locked in id order, so linking A to B while someone links B to A cannot deadlock: the
    second waits, then finds the first link made and is refused."""
    with transaction.atomic():
        if primary.pk == case.pk:
            raise InvalidTransition(_("Link to an open case that is not itself a duplicate."))
        locked = lock_in_order([case, primary])
        case, primary = locked[case.pk], locked[primary.pk]
        check_action(case, "link_duplicate")
        if case.duplicate_of_id or primary.duplicate_of_id or primary.closed_at is not None:
            raise InvalidTransition(_("Link to an open case that is not itself a duplicate."))
        if case.split_from_id or primary.split_from_id:
            raise InvalidTransition(_("A part of a split case cannot be merged: it is answered as part of its whole."))
        Case.objects.filter(duplicate_of=case).update(duplicate_of=primary)
        case.duplicate_of = primary
        case.save(update_fields=["duplicate_of", "updated_at"])
        record(case, EventType.LINKED, actor=by, payload={"primary": primary.tracking_code})
        notify_citizen(case, "case_merged")
    return case


@service_transaction
def case_split(*, case: Case, by: User, agencies: list[Agency], note: str = "") -> list[Case]:
    """Splits a case that concerns several agencies into one part per agency, each with its own clock from
    today. The citizen keeps following the whole, which is answered once every part is.

    Raises InvalidTransition for a part of a split case: the whole is split once, into every agency concerned
    (a part of a part would also outgrow the tracking code's column)."""
    with transaction.atomic():
        case = lock(case)
        check_action(case, "split")
        if case.split_from_id:
            raise InvalidTransition(_("A part of a split case cannot be split again: transfer it instead."))
        if len(agencies) < 2 or len({a.pk for a in agencies}) != len(agencies):
            raise ValidationFailed({"agencies": [_("Choose at least two different agencies.")]})
        if case.parts.exists():
            raise InvalidTransition(_("This case has already been split."))
        today, now = clock.local_date(), clock.now()
        parts = []
        for number, agency in enumerate(agencies, start=1):
            part = _part_of(case, agency, number, by=by, note=note)
            part.received_at, part.clock_started_on = now, today
            refresh_due(part)
            part.forward_by = forwarding_deadline(part, today)
            part.save(force_insert=True)
            parts.append(part)
        ClockSegment.objects.bulk_create([ClockSegment(case=p, agency_id=p.agency_id, started_on=today) for p in parts])
        CaseEvent.objects.bulk_create(
            [build_event(p, EventType.ROUTED, actor=by, payload=p.routing_explanation) for p in parts]
        )
        record(
            case,
            EventType.SPLIT,
            actor=by,
            payload={
                "parts": [p.tracking_code for p in parts],
                "agencies": [p.agency.code for p in parts],
                "note": note,
            },
        )
        notify_citizen(case, "case_split", agencies=[_agency_name(p.agency, case.language) for p in parts])
        # The whole's duplicates follow it (they get its combined answer): their askers are told the same now.
        duplicates = Case.objects.select_for_update(of=("self",)).filter(duplicate_of=case, closed_at__isnull=True)
        for duplicate in duplicates.order_by("pk"):
            record(duplicate, EventType.SPLIT, actor=by, payload={"agencies": [p.agency.code for p in parts]})
            notify_citizen(
                duplicate, "case_split", agencies=[_agency_name(p.agency, duplicate.language) for p in parts]
            )
    return parts


def _agency_name(agency: Agency, language: str) -> str:
    return agency.name_en if language == "en" and agency.name_en else agency.name


def _part_of(case: Case, agency: Agency, number: int, *, by: User, note: str) -> Case:
    copied = {
        field.attname: getattr(case, field.attname)
        for field in Case._meta.concrete_fields
        if field.attname
        not in {"id", "created_at", "updated_at", "status", "assignee_id", "due_at", "due_explanation", "closed_at"}
    }
    copied.update(
        tracking_code=f"{case.tracking_code}-{number}",
        agency_id=agency.pk,
        split_from_id=case.pk,
        duplicate_of_id=None,
        routing_rule="",
        routing_explanation={"rule": None, "split_from": case.tracking_code, "by": by.username, "note": note},
    )
    from caunoi.workflows.registry import workflows

    return Case(status=workflows().lifecycles[case.lifecycle_version].initial, **copied)
