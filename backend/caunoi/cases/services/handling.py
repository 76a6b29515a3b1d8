"""What officials and leaders do to a case. Each service locks the case, checks the lifecycle, changes it,
and records its event in one transaction; messages go to the outbox in the same transaction.

Callers obtain the case through `access_case_for_action`, which checks who may take the action.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency, Membership
from caunoi.core.errors import ValidationFailed
from caunoi.core.transactions import service_transaction

from ..events import record
from ..models import AnswerVersion, Case, EventType, Extension, Note
from .lifecycle import InvalidTransition, apply_transition, check_action, lock
from .notify import notify_citizen, notify_staff


@service_transaction
def case_claim(*, case: Case, by: User) -> Case:
    """The official takes the case. Of two officials claiming at once, exactly one wins; the other gets
    InvalidTransition (409)."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "claim")
        case.assignee = by
        case.save(update_fields=["status", "assignee", "updated_at"])
        record(case, EventType.CLAIMED, actor=by, payload={"assignee": by.username})
    return case


def _is_member_official(user: User, agency: Agency) -> bool:
    return (
        user.is_active
        and user.role in {Role.OFFICIAL, Role.LEADER}
        and Membership.objects.filter(user=user, agency=agency).exists()
    )


@service_transaction
def case_assign(*, case: Case, by: User, to: User) -> Case:
    """A leader gives the case to an official of the case's agency, who is told by the outbox.

    Raises ValidationFailed when `to` is not an official or leader of that agency."""
    with transaction.atomic():
        case = lock(case)
        if not _is_member_official(to, case.agency):
            raise ValidationFailed({"assignee": [str(_("Choose an official of the agency handling this case."))]})
        apply_transition(case, "assign")
        case.assignee = to
        case.save(update_fields=["status", "assignee", "updated_at"])
        record(case, EventType.ASSIGNED, actor=by, payload={"assignee": to.username})
        due_date = case.due_at.date().isoformat() if case.due_at else None
        notify_staff(to, case, "staff_assigned", due_date=due_date)
    return case


@service_transaction
def case_note_add(*, case: Case, by: User, body: str) -> Note:
    """An internal note, for officials only."""
    with transaction.atomic():
        case = lock(case)
        check_action(case, "note")
        note = Note.objects.create(case=case, author=by, body=body.strip())
        record(case, EventType.NOTE_ADDED, actor=by, payload={"note": note.pk})
    return note


class DraftConflict(InvalidTransition):
    """Someone saved another version after the one the text was written from: saving it would bury theirs.
    `extra["latest"]` is the newest version's number."""


def _check_base(case: Case, base_version: int | None) -> AnswerVersion | None:
    latest = case.answer_versions.select_related("author").order_by("-number").first()
    if base_version is not None and (latest.number if latest else 0) != base_version:
        assert latest is not None  # a base above 0 with no version at all: the text came from nowhere
        raise DraftConflict(
            _("Version %(latest)s was saved by %(author)s after you started from version %(base)s.")
            % {
                "latest": latest.number,
                "author": latest.author.get_full_name() or latest.author.get_username(),
                "base": base_version,
            },
            extra={"latest": latest.number},
        )
    return latest


@service_transaction
def case_answer_draft(*, case: Case, by: User, body: str, base_version: int | None = None) -> AnswerVersion:
    """Saves a new version of the answer; earlier versions are kept. The author's own autosaved version (see
    case_answer_autosave) is kept as this save instead of being followed by a copy of itself. With
    `base_version` (the version the text was written from, 0 for none) raises DraftConflict (409) when
    another version was saved since."""
    with transaction.atomic():
        case = lock(case)
        check_action(case, "draft")
        latest = _check_base(case, base_version)
        if latest is not None and _is_open_autosave(case, latest, by):
            latest.body = body.strip()
            latest.save(update_fields=["body"])
            record(case, EventType.ANSWER_DRAFTED, actor=by, payload={"version": latest.number})
            return latest
        last = latest.number if latest else 0
        version = AnswerVersion.objects.create(case=case, number=last + 1, body=body.strip(), author=by)
        record(case, EventType.ANSWER_DRAFTED, actor=by, payload={"version": version.number})
    return version


@service_transaction
def case_answer_autosave(*, case: Case, by: User, body: str, base_version: int) -> AnswerVersion:
    """Keeps the text being typed. The first autosave after a save makes a new version (marked autosaved in
    its event); later ones update that version in place until the author saves it or sends it for review.
    Same checks and DraftConflict as case_answer_draft, so an autosave never overwrites a colleague's version,
    a version the author saved, or one a leader read."""
    with transaction.atomic():
        case = lock(case)
        check_action(case, "draft")
        latest = _check_base(case, base_version)
        if latest is not None and _is_open_autosave(case, latest, by):
            if latest.body != body.strip():
                latest.body = body.strip()
                latest.save(update_fields=["body"])
            return latest
        version = AnswerVersion.objects.create(
            case=case, number=(latest.number if latest else 0) + 1, body=body.strip(), author=by
        )
        record(case, EventType.ANSWER_DRAFTED, actor=by, payload={"version": version.number, "autosaved": True})
    return version


def _is_open_autosave(case: Case, version: AnswerVersion, by: User) -> bool:
    """Whether `version` is `by`'s autosave, not yet saved by them nor sent for review."""
    if version.author_id != by.pk:
        return False
    last = (
        case.events.filter(
            type__in=[EventType.ANSWER_DRAFTED, EventType.REVIEW_REQUESTED], payload__version=version.number
        )
        .order_by("-at", "-id")
        .first()
    )
    return last is not None and last.type == EventType.ANSWER_DRAFTED and bool(last.payload.get("autosaved"))


@service_transaction
def case_submit_for_review(*, case: Case, by: User) -> Case:
    """Sends the latest draft to a leader. Raises InvalidTransition when there is no draft yet."""
    with transaction.atomic():
        case = lock(case)
        latest = case.answer_versions.order_by("-number").first()
        if latest is None:
            raise InvalidTransition(_("Write a draft answer before sending it for review."))
        apply_transition(case, "submit_for_review")
        case.save(update_fields=["status", "updated_at"])
        record(case, EventType.REVIEW_REQUESTED, actor=by, payload={"version": latest.number})
    return case


@service_transaction
def case_return(*, case: Case, by: User, comment: str) -> Case:
    """A leader sends the draft back to its author with a comment."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "return")
        case.save(update_fields=["status", "updated_at"])
        record(case, EventType.RETURNED, actor=by, payload={"comment": comment.strip()})
        drafter = case.assignee or case.answer_versions.order_by("-number").first().author  # type: ignore[union-attr]
        notify_staff(drafter, case, "staff_returned", comment=comment.strip())
    return case


@service_transaction
def case_extend(*, case: Case, by: User, days: int, reason: str) -> Case:
    """A leader extends the holding agency's deadline by `days`; the due date is recomputed from the policy
    plus every extension on that agency's clock, and the citizen is told in plain words (the legal period and
    the extension apart). Raises ValidationFailed for a non-positive or excessive number of days."""
    from caunoi.workflows.registry import workflows

    from ..selectors import citizen_sentence
    from .deadline import refresh_due

    with transaction.atomic():
        case = lock(case)
        check_action(case, "extend")
        if not 1 <= days <= 30:
            raise ValidationFailed({"days": [str(_("Extend by 1 to 30 days."))]})
        Extension.objects.create(
            case=case, clock_started_on=case.clock_started_on, days=days, reason=reason.strip(), approved_by=by
        )
        computation = refresh_due(case)
        case.save(update_fields=["due_at", "due_explanation", "updated_at"])
        due_date = computation.due_date.isoformat() if computation.due_date else None
        event = record(
            case, EventType.EXTENDED, actor=by, payload={"days": days, "reason": reason.strip(), "due_date": due_date}
        )
        period = workflows().deadlines[case.deadline_version].kinds[case.kind]
        notify_citizen(
            case,
            "case_extended",
            days=days,
            legal_days=period.days,
            unit=period.unit,
            reason=reason.strip(),
            due_date=due_date,
            change=citizen_sentence(event, case.language),  # the track page's words for it
        )
    return case
