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
    return Case.objects.select_for_update().select_related("agency").get(pk=case.pk)


def apply_transition(case: Case, name: str) -> str:
    """Sets the case's status by the lifecycle transition `name`; returns the previous status.

    Raises InvalidTransition when the case's current status is not a source of the transition.
    """
    transition = workflows().lifecycles[case.lifecycle_version].transitions[name]
    if case.status not in transition.sources:
        raise InvalidTransition(
            _("This cannot be done now: the case's status is “%(status)s”.") % {"status": _status(case)}
        )
    previous, case.status = case.status, transition.target
    return previous


def check_action(case: Case, name: str) -> None:
    """Raises InvalidTransition when the lifecycle does not allow action `name` in the case's status."""
    action = workflows().lifecycles[case.lifecycle_version].actions[name]
    if case.status not in action.states:
        raise InvalidTransition(
            _("This cannot be done now: the case's status is “%(status)s”.") % {"status": _status(case)}
        )


def _status(case: Case) -> str:
    from ..selectors import status_label

    return status_label(case)
