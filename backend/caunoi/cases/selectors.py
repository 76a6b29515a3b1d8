"""Reads of cases for the citizen and staff interfaces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caunoi.agencies.models import Agency
from caunoi.core import clock
from caunoi.deadlines.compute import compute_due
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.workflows.registry import workflows
from caunoi.workflows.types import AppealPolicy

from .models import PUBLIC_EVENT_TYPES, AnswerTemplate, Case, CaseEvent, ErasureRequest, EventType, Rating


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def status_label(case: Case, *, staff: bool = False) -> str:
    """The case's status in the current language; `staff` pages get the internal wording where it differs."""
    return workflows().lifecycles[case.lifecycle_version].label(case.status, _language(), staff=staff)


def clock_state(case: Case) -> str:
    """running, paused or stopped, from the lifecycle version the case opened under."""
    state = workflows().lifecycles[case.lifecycle_version].states[case.status]
    if state.clock == "running" and case.due_at is None:
        return "paused"
    return state.clock


def is_overdue(case: Case, *, now: dt.datetime | None = None) -> bool:
    """Derived, never stored: past the due date with the clock still running."""
    return case.due_at is not None and clock_state(case) == "running" and (now or clock.now()) > case.due_at


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    type: str
    text: str


def _describe(event: CaseEvent, lifecycle_version: int) -> str:
    payload = event.payload
    if event.type == EventType.SUBMITTED:
        return _("Received by the portal.")
    if event.type == EventType.ROUTED:
        return _("Sent to %(agency)s, the agency responsible.") % {"agency": event.agency.display_name}
    if event.type == EventType.CLOCK_PAUSED:
        return _("The agency asked you for more information; the deadline is on hold until you reply.")
    if event.type == EventType.CLOCK_RESUMED:
        return _("Your reply was received; the deadline runs again, now until %(date)s.") % {
            "date": _format_date(payload.get("due_date"))
        }
    if event.type == EventType.DEADLINE_RECOMPUTED:
        return _("The deadline moved to %(date)s because the official working calendar changed.") % {
            "date": _format_date(payload.get("due_date"))
        }
    if event.type == EventType.INFO_REQUESTED:
        return _("The agency asked you for more information; the deadline is on hold until you reply.")
    if event.type == EventType.CITIZEN_REPLIED:
        return _("Your reply was received; the deadline runs again, now until %(date)s.") % {
            "date": _format_date(payload.get("due_date"))
        }
    if event.type == EventType.CITIZEN_WROTE:
        return _("Your message was added to your request.")
    if event.type == EventType.ANSWERED and payload.get("stage", 1) >= 2:
        return _("%(agency)s reconsidered the answer at your request; its decision is the answer shown.") % {
            "agency": event.agency.display_name
        }
    if event.type == EventType.ANSWERED:
        return _("Answered by %(agency)s.") % {"agency": event.agency.display_name}
    if event.type == EventType.TRANSFERRED:
        return _("Transferred to %(agency)s, the competent agency; it must answer by %(date)s.") % {
            "agency": event.agency.display_name,
            "date": _format_date(payload.get("due_date")),
        }
    if event.type == EventType.EXTENDED:
        return _("The deadline was extended to %(date)s: %(reason)s") % {
            "date": _format_date(payload.get("due_date")),
            "reason": payload.get("reason", ""),
        }
    if event.type == EventType.REJECTED:
        return _("Closed: this is not handled here. %(reason)s %(pointer)s") % {
            "reason": payload.get("reason", ""),
            "pointer": payload.get("pointer", ""),
        }
    if event.type == EventType.APPEALED:
        return _(
            "You asked for the answer to be reconsidered; %(agency)s reconsiders it and must decide by %(date)s."
        ) % {
            "agency": ", ".join(_agency_names([payload.get("to", "")])),
            "date": _format_date(payload.get("due_date")),
        }
    if event.type == EventType.LINKED:
        return _("Merged with other requests asking the same thing: you will receive the same answer as them.")
    if event.type == EventType.SPLIT:
        return _(
            "Your request concerns several agencies; each answers its part (%(agencies)s). You will receive one "
            "answer when every part is answered."
        ) % {"agencies": ", ".join(_agency_names(payload.get("agencies", [])))}
    if event.type == EventType.ANONYMISED:
        return _("Your personal data was removed from this case.")
    if event.type == EventType.CONSENT_WITHDRAWN:
        return _("You withdrew your consent to publication; the question and answer are no longer published.")
    if event.type == EventType.DATA_EXPORTED:
        return _("You downloaded the personal data held about you.")
    if event.type == EventType.ERASURE_REQUESTED:
        return _("You asked for your personal data to be deleted; it will be done by %(date)s.") % {
            "date": _format_date(payload.get("due_date"))
        }
    if event.type == EventType.LATE_UPDATE:
        return _("The answer is late; the agency is still handling it. We apologise for the delay.")
    if event.type == EventType.STATUS_CHANGED:
        label = workflows().lifecycles[lifecycle_version].label(event.status, _language())
        return _("Status: %(status)s.") % {"status": label}
    return str(EventType(event.type).label)


def appeal_policy() -> tuple[int, AppealPolicy] | None:
    """The newest deadline policy's version and its appeal rules, or None when appeals are not offered."""
    wf = workflows()
    policy = wf.deadline_policy
    if policy.appeal is None or "appeal" not in wf.lifecycle.transitions:
        return None
    return policy.version, policy.appeal


def appeal_last_day(case: Case, policy: AppealPolicy) -> dt.date | None:
    """The last day the answer of `case` may be appealed, counted as due dates are from the answer's local
    date (the first day after it is day 1); None when the case is not closed."""
    if case.closed_at is None:
        return None
    answered_on = clock.local_date(case.closed_at)
    return compute_due(received_on=answered_on, period=policy.window, calendar=calendar_in_force(), pauses=[]).due_date


def appeal_open_until(case: Case) -> dt.date | None:
    """The last day the citizen may still appeal the answer of `case`, or None when they may not (not
    answered, appealed already, the period over, or appeals not offered)."""
    offered = appeal_policy()
    if offered is None or case.status != "answered" or case.stage >= 2 or case.split_from_id:
        return None
    last_day = appeal_last_day(case, offered[1])
    return last_day if last_day is not None and clock.local_date() <= last_day else None


def _agency_names(codes: list[str]) -> list[str]:
    names = {a.code: a.display_name for a in Agency.objects.filter(code__in=codes)}
    return [names.get(code, code) for code in codes]


def _format_date(value: str | None) -> str:
    if not value:
        return "—"
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y")


def citizen_sentence(event: CaseEvent, language: str) -> str:
    """The sentence the citizen's timeline shows for `event`, in `language`: messages about a change say it
    in the same words as the track page."""
    with translation.override(language):
        return str(_describe(event, event.lifecycle_version))


def case_public_timeline(case: Case) -> list[TimelineEntry]:
    """What the citizen sees happen to their case: public events only, oldest first."""
    events = case.events.filter(type__in=PUBLIC_EVENT_TYPES).select_related("agency").order_by("at", "id")
    return [TimelineEntry(e.at, e.type, _describe(e, case.lifecycle_version)) for e in events]


def due_explanation(case: Case) -> dict[str, Any]:
    """How the due date was computed, in the current language."""
    return case.due_explanation.get(_language()) or case.due_explanation.get("vi") or {}


def forwarding_state(case: Case, *, today: dt.date | None = None) -> dict[str, Any] | None:
    """The forwarding period (Decree 20/2008) while it matters: nobody at the agency has taken the case up
    (it is in its lifecycle's initial state). None otherwise. {"date": ISO date, "passed": bool}."""
    if case.forward_by is None or case.closed_at is not None:
        return None
    if case.status != workflows().lifecycles[case.lifecycle_version].initial:
        return None
    today = today or clock.local_date()
    return {"date": case.forward_by.isoformat(), "passed": today > case.forward_by}


def approved_answer(case: Case) -> str | None:
    """The answer the citizen reads: the latest approved version, or None before approval."""
    version = case.answer_versions.exclude(approved_at=None).order_by("-number").first()
    return version.body if version else None


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    distribution: dict[int, int]  # score → how many


def rating_summary(cases: QuerySet[Case]) -> RatingSummary:
    """Ratings of `cases`, aggregated only: officials never see which citizen gave which rating."""
    rows = dict(
        Rating.objects.filter(case__in=cases).values_list("score").annotate(n=Count("id")).values_list("score", "n")
    )
    count = sum(rows.values())
    average = round(sum(score * n for score, n in rows.items()) / count, 2) if count else None
    return RatingSummary(count, average, {score: rows.get(score, 0) for score in range(1, 6)})


def answer_templates_for(case: Case) -> QuerySet[AnswerTemplate]:
    """Templates of the case's agency and of the agencies above it."""
    return AnswerTemplate.objects.filter(agency_id__in=case.agency.ancestor_ids(), is_active=True)


def case_personal_data(case: Case) -> dict[str, Any]:
    """Everything the platform holds about the citizen in `case`, for them to download (Law 91/2025): what
    they sent and consented to, the conversation, the answer, their rating, the timeline they see, their
    attachments (names and sizes), whether it is published, and any deletion request. Never the access code's
    hash, internal notes or who among the staff handled it."""
    rating = Rating.objects.filter(case=case).first()
    item = getattr(case, "published_item", None)  # publication's reverse accessor (a higher floor)
    return {
        "case": {
            "tracking_code": case.tracking_code,
            "kind": case.kind,
            "title": case.title,
            "body": case.body,
            "category": case.category.name,
            "area": case.area.name if case.area else None,
            "channel": case.channel,
            "language": case.language,
            "received_at": case.received_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "status": status_label(case),
            "agency": case.agency.display_name,
            "anonymised_at": case.anonymised_at.isoformat() if case.anonymised_at else None,
        },
        "contact": {
            "name": case.contact_name,
            "email": case.contact_email,
            "phone": case.contact_phone,
            "address": case.contact_address,
        },
        "account": case.submitter.email if case.submitter is not None else None,
        "identity": {"provider": case.identity_provider, "level": case.identity_level}
        if case.identity_provider
        else None,
        "consent": {"consent_to_publish": case.consent_to_publish, "show_name_publicly": case.show_name_publicly},
        "messages": [
            {"at": m.created_at.isoformat(), "direction": m.direction, "body": m.body} for m in case.messages.all()
        ],
        "answer": approved_answer(case),
        "rating": {"score": rating.score, "comment": rating.comment} if rating else None,
        "attachments": [
            {"name": a.original_name, "type": a.content_type, "size": a.size} for a in case.attachments.all()
        ],
        "timeline": [
            {"at": entry.at.isoformat(), "type": entry.type, "text": str(entry.text)}
            for entry in case_public_timeline(case)
        ],
        "publication": {"status": item.status, "address": f"/hoi-dap/{item.slug}/"} if item is not None else None,
        "erasure_requests": [
            {
                "requested_at": r.requested_at.isoformat(),
                "due_at": r.due_at.isoformat(),
                "done_at": r.done_at.isoformat() if r.done_at else None,
            }
            for r in case.erasure_requests.all()
        ],
    }


def _erasure_data(request: ErasureRequest) -> dict[str, str | None]:
    done = request.done_at.isoformat() if request.done_at else None
    return {"requested_at": request.requested_at.isoformat(), "due_at": request.due_at.isoformat(), "done_at": done}


def erasure_requests_open(cases: QuerySet[Case]) -> QuerySet[ErasureRequest]:
    """Deletion requests not yet carried out for `cases` (the staff member's reach), the most urgent first."""
    return (
        ErasureRequest.objects.filter(done_at__isnull=True, case__in=cases)
        .select_related("case", "case__agency")
        .order_by("due_at", "id")
    )
