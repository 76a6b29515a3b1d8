"""Intake: a citizen's question, feedback or petition becomes a routed case with a legal deadline."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, transaction

from caunoi.accounts.models import User
from caunoi.accounts.sso.session import SessionIdentity
from caunoi.agencies.models import Area, Category
from caunoi.core import clock, hooks
from caunoi.core.text import normalize
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.portals.selectors import BUILT_IN, PortalSite
from caunoi.routing.services import RoutingDecision, route_case
from caunoi.workflows.registry import workflows
from caunoi.workflows.types import WorkflowSet

from ..attachments import CheckedFile
from ..events import build_event
from ..models import (
    TRACKING_PREFIX,
    Attachment,
    Case,
    CaseEvent,
    ClockSegment,
    EventType,
    IntakeKey,
    Kind,
    Message,
)
from .deadline import apply_due, case_due_computation, forwarding_deadline
from .flood import flood_hold_reason
from .idempotency import derived_access_token, intake_key_claim, submission_fingerprint
from .notify import notify_citizen

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Submitted:
    case: Case
    access_token: str  # shown to the citizen once; only its hash is stored
    replayed: bool = False  # True when an Idempotency-Key retry found the case its first attempt stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _next_case_id() -> int:
    # The id is taken before the insert so the tracking code can be written in the same INSERT.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('cases_case', 'id'))")
        return int(cursor.fetchone()[0])


def tracking_code(kind: str, year: int, number: int) -> str:
    return f"{TRACKING_PREFIX[Kind(kind)]}-{year}-{number:06d}"


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Storage is not transactional: files written for a submission that then fails are deleted."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def case_submit(
    *,
    kind: str,
    title: str,
    body: str,
    category: Category,
    area: Area | None,
    channel: str,
    contact: Contact,
    consent_to_publish: bool = False,
    show_name_publicly: bool = False,
    attachments: Sequence[CheckedFile] = (),
    submitter: User | None = None,
    language: str = "vi",
    idempotency_key: str | None = None,
    site: PortalSite = BUILT_IN,  # where it was sent from; a component site routes inside its subtree first
    screen_flood: bool = True,  # False for items a moderator already saw (a dialogue's approved questions)
    received_at: dt.datetime | None = None,  # the legal receipt of a letter, call, visit or fax (default: now)
    entered_by: User | None = None,  # the official who entered it for the citizen (staff-entered intake)
    # The receipt also carries the access code, for channels whose sender never sees the confirmation page
    # (staff-entered, e-mail): the code then waits in the outbox row until it is sent.
    receipt_with_access_code: bool = False,
    identity: SessionIdentity | None = None,  # the submitter's session logged in through single sign-on
) -> Submitted:
    """Stores a new case routed to its agency with its due date, its attachments and three events
    (submitted, routed, deadline_set), all in one transaction.

    Inputs are already validated (see api/serializers.py). If anything fails, nothing is stored. With an
    `idempotency_key` (checked by idempotency.check_key) already used for the same content, nothing is stored
    and the earlier case is returned (`replayed`); used for other content, raises IdempotencyKeyReused.
    One of many near-identical submissions in a short time is stored held for moderation instead (flood.py):
    no due date, no receipt, events submitted, routed, held.

    `received_at` (staff-entered intake: the legal date of receipt, validated by the caller as not in the
    future) starts both clocks on its local date instead of today; `entered_by` is the submitted event's actor
    and is named in its payload.

    `identity` (the submitter's single sign-on, accounts.sso.session) is recorded as the provider and the
    identity level it asserted.
    """
    wf = workflows()
    logged_in = submitter is not None and submitter.is_authenticated
    title, body = normalize(title).strip(), normalize(body).strip()
    with files_removed_on_failure() as written, transaction.atomic():
        token = secrets.token_urlsafe(18)
        if idempotency_key:
            what = {
                "kind": kind, "title": title, "body": body, "category": category.pk,
                "area": area.pk if area else None, "channel": channel, "contact": asdict(contact),
                "consent": consent_to_publish, "show_name": show_name_publicly,
                "submitter": submitter.pk if submitter is not None else None,
                "site": site.id,  # the same text sent to another portal is another request
            }  # fmt: skip
            fingerprint = submission_fingerprint(what, attachments)
            token = derived_access_token(idempotency_key, fingerprint)
            earlier = intake_key_claim(key=idempotency_key, fingerprint=fingerprint)
            if earlier is not None and earlier.case is not None:
                return Submitted(earlier.case, token, replayed=True)
        decision = route_case(
            kind=kind,
            category=category,
            area=area,
            text=f"{title}\n{body}",
            channel=channel,
            rules=wf.routing,
            within_path=site.agency_path,
        )
        decision = _learned_route(decision, wf, title=title, body=body, category=category, area=area, site=site)
        now = clock.now()
        received = received_at or now
        case_id = _next_case_id()
        case = Case(
            id=case_id,
            kind=kind,
            title=title,
            body=body,
            category=category,
            area=area,
            channel=channel,
            site_id=site.id,
            submitter=submitter if logged_in else None,
            identity_provider=identity.provider if identity is not None and logged_in else "",
            identity_level=identity.level if identity is not None and logged_in else None,
            contact_name=normalize(contact.name).strip(),
            contact_email=contact.email.strip(),
            contact_phone=contact.phone.strip(),
            contact_address=normalize(contact.address).strip(),
            consent_to_publish=consent_to_publish,
            show_name_publicly=show_name_publicly,
            language="en" if language.startswith("en") else "vi",
            tracking_code=tracking_code(kind, clock.local_date(now).year, case_id),
            access_token_hash=hash_token(token),
            agency=decision.agency,
            status=wf.lifecycle.initial,
            routing_rule=decision.rule_id,
            routing_explanation=decision.explanation,
            received_at=received,
            clock_started_on=clock.local_date(received),
            lifecycle_version=wf.lifecycle.version,
            routing_version=wf.routing.version,
            deadline_version=wf.deadline_policy.version,
        )
        hold = flood_hold_reason(title=title, body=body, now=now) if screen_flood else None
        if hold is not None:
            return _held(case, hold, attachments=attachments, written=written, key=idempotency_key, token=token)
        computation = case_due_computation(case, calendar=calendar_in_force(), pauses=[])
        apply_due(case, computation)
        case.forward_by = forwarding_deadline(case, case.clock_started_on)
        case.save(force_insert=True)
        ClockSegment.objects.create(case=case, agency=case.agency, started_on=case.clock_started_on)
        save_attachments(case, attachments, written)
        if idempotency_key:
            IntakeKey.objects.filter(key=idempotency_key).update(case=case)
        due_date = computation.due_date.isoformat() if computation.due_date else None
        submitted_payload: dict[str, str] = {"channel": channel}
        if entered_by is not None:
            submitted_payload["entered_by"] = entered_by.username
        CaseEvent.objects.bulk_create(
            [
                build_event(
                    case, EventType.SUBMITTED, actor=entered_by or submitter, at=now, payload=submitted_payload
                ),
                build_event(case, EventType.ROUTED, at=now, payload=decision.explanation),
                build_event(case, EventType.DEADLINE_SET, at=now, payload={"due_date": due_date}),
            ]
        )
        # Intake is the hottest path: the receipt is left to the periodic dispatcher (every few seconds)
        # rather than publishing a task per submission.
        extra = {"access_token": token} if receipt_with_access_code else {}
        notify_citizen(case, "case_received", due_date=due_date, dispatch=False, **extra)
    logger.info("case %s routed to %s (rule %r)", case.tracking_code, decision.agency.code, decision.rule_id)
    return Submitted(case, token)


def _held(
    case: Case,
    hold: tuple[str, int],
    *,
    attachments: Sequence[CheckedFile],
    written: list[str],
    key: str | None,
    token: str,
) -> Submitted:
    """Stores `case` held for moderation (flood.py): no due date, no receipt, events submitted, routed, held."""
    reason, similar = hold
    case.held_at, case.held_reason = case.received_at, reason
    case.save(force_insert=True)
    save_attachments(case, attachments, written)
    if key:
        IntakeKey.objects.filter(key=key).update(case=case)
    now = case.received_at
    CaseEvent.objects.bulk_create(
        [
            build_event(case, EventType.SUBMITTED, at=now, payload={"channel": case.channel}),
            build_event(case, EventType.ROUTED, at=now, payload=case.routing_explanation),
            build_event(case, EventType.HELD, at=now, payload={"reason": reason, "similar": similar}),
        ]
    )
    logger.info("case %s held for moderation (%d similar)", case.tracking_code, similar)
    return Submitted(case, token)


def save_attachments(
    case: Case, attachments: Sequence[CheckedFile], written: list[str], *, message: Message | None = None
) -> None:
    """Stores checked files with `case` (and the citizen's reply `message` they came with), noting each file
    written in `written` for files_removed_on_failure."""
    for checked in attachments:
        stored_name = f"{uuid.uuid4().hex}{_suffix(checked.original_name)}"
        attachment = Attachment(
            case=case,
            message=message,
            stored_name=stored_name,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            suspicious_reason=checked.suspicious_reason[:200],
        )
        checked.upload.seek(0)
        attachment.file.save(stored_name, checked.upload, save=False)
        written.append(str(attachment.file.name))
        attachment.save(force_insert=True)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower()[:10] if dot > 0 else ""


def _learned_route(
    decision: RoutingDecision,
    wf: WorkflowSet,
    *,
    title: str,
    body: str,
    category: Category,
    area: Area | None,
    site: Any,
) -> RoutingDecision:
    """The rules' decision, or the learned model's when workflows/suggestions turns auto-routing on, the
    rules sent the case to one of its triage desks, and the model (core.hooks.learned_route) is confident
    enough; never outside the site's agencies. Off by default."""
    policy = wf.suggestions_policy
    if not policy.auto_route or decision.agency.code not in policy.from_agencies:
        return decision
    learned = hooks.learned_route.call(
        text=f"{title}\n{body}", category=category, area=area, min_confidence=policy.min_confidence
    )
    if learned is None:
        return decision
    agency, explanation = learned
    if agency.pk == decision.agency.pk or not agency.path.startswith(site.agency_path):
        return decision
    explanation = {**explanation, "rules_chose": decision.agency.code, "policy_version": policy.version}
    return RoutingDecision(agency, "", decision.version, explanation)
