"""Moving a case through its lifecycle: the state checks every handling service shares."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caunoi.core.errors import ApplicationError
from caunoi.workflows.registry import workflows

from ..models import Case


class InvalidTransition(ApplicationError):
    """The case is not in a state that allows this: someone acted first, or the step comes later."""

    status_code = 409


def lock(case: Case) -> Case:
    """The case re-read under a row lock: checks made after this see every committed change."""
    return Case.objects.select_for_update(of=("self",)).select_related("agency").get(pk=case.pk)


# What may still be done to a split case while any of its parts is open: the parts carry the work (each has
# its own agency and clock) and the whole is answered from them when the last closes (answering.py).
ALLOWED_WHILE_PARTS_OPEN = frozenset({"note"})


def refuse_while_parts_open(case: Case, name: str) -> None:
    """Raises InvalidTransition when `case` was split and a part is still open, unless `name` is allowed.

    Without it a whole could be claimed and answered directly, and its parts' answers would never reach the
    citizen."""
    if name in ALLOWED_WHILE_PARTS_OPEN:
        return
    if Case.objects.filter(split_from=case.pk, closed_at__isnull=True).exists():
        raise InvalidTransition(
            _(
                "This case was split into parts: each part is handled by its agency, and the citizen receives "
                "one answer when every part is answered. Work on the parts instead."
            )
        )


def lock_in_order(cases: list[Case]) -> dict[int, Case]:
    """Several cases re-read under row locks, always in id order (the cases app's lock order), by id."""
    ids = sorted({c.pk for c in cases})
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",)).select_related("agency").filter(pk__in=ids).order_by("pk")
    }
    if len(locked) != len(ids):
        raise Case.DoesNotExist
    return locked


def apply_transition(case: Case, name: str) -> str:
    """Sets the case's status by the lifecycle transition `name`; returns the previous status.

    Raises InvalidTransition when the case's current status is not a source of the transition, or when the
    case is a split whole whose parts are still open.
    """
    refuse_while_parts_open(case, name)
    transition = workflows().lifecycles[case.lifecycle_version].transitions[name]
    if case.status not in transition.sources:
        raise InvalidTransition(
            _("This cannot be done now: the case's status is “%(status)s”.") % {"status": _status(case)}
        )
    previous, case.status = case.status, transition.target
    return previous


def check_action(case: Case, name: str) -> None:
    """Raises InvalidTransition when the lifecycle does not allow action `name` in the case's status, or when
    the case is a split whole whose parts are still open (notes excepted)."""
    refuse_while_parts_open(case, name)
    action = workflows().lifecycles[case.lifecycle_version].actions[name]
    if case.status not in action.states:
        raise InvalidTransition(
            _("This cannot be done now: the case's status is “%(status)s”.") % {"status": _status(case)}
        )


def _status(case: Case) -> str:
    from ..selectors import status_label

    return status_label(case)
