"""A citizen's rights over the personal data a case holds (Law 91/2025 on personal data protection): withdraw
consent to publication, download what is held, ask for deletion. Each records a CaseEvent. Who may use them
(the access code, or the account that sent the case) is checked by the interfaces through cases/access.py.

Lock order: the case row, then its erasure requests (then, in signal receivers, the published item)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.core import clock
from caunoi.core.errors import ApplicationError

from ..events import record
from ..models import Case, ErasureRequest, EventType
from ..selectors import case_personal_data
from ..signals import case_consent_withdrawn
from .anonymise import anonymise_locked
from .lifecycle import lock
from .notify import notify_staff


class ErasureAlreadyDone(ApplicationError):
    """The request was carried out already (or the case's personal data was removed meanwhile)."""

    status_code = 409


def _citizen(by: User | None) -> User | None:
    return by if by is not None and by.is_authenticated else None


@transaction.atomic
def case_consent_withdraw(*, case: Case, by: User | None = None) -> Case:
    """The citizen withdraws consent to publication (and to showing their name): what was made public from the
    case leaves the portal in the same transaction (receivers of `case_consent_withdrawn`). Idempotent: a
    second call changes and records nothing."""
    case = lock(case)
    if not case.consent_to_publish and not case.show_name_publicly:
        return case
    case.consent_to_publish = case.show_name_publicly = False
    case.save(update_fields=["consent_to_publish", "show_name_publicly", "updated_at"])
    record(case, EventType.CONSENT_WITHDRAWN, actor=_citizen(by))
    case_consent_withdrawn.send(sender=Case, case=case, by=_citizen(by))
    return case


@transaction.atomic
def case_data_export(*, case: Case, by: User | None = None) -> dict[str, Any]:
    """What the platform holds about the citizen in this case (selectors.case_personal_data), recording that
    they downloaded it."""
    case = lock(case)
    record(case, EventType.DATA_EXPORTED, actor=_citizen(by))
    return case_personal_data(case)


@transaction.atomic
def account_data_export(*, user: User) -> dict[str, Any]:
    """What the platform holds about a logged-in citizen: their account and, for every case they sent while
    logged in, what case_data_export gives (each case records the download)."""
    cases = Case.objects.filter(submitter=user).order_by("received_at", "id").select_for_update()
    return {
        "account": {
            "email": user.email,
            "name": user.get_full_name(),
            "joined_at": user.date_joined.isoformat(),
            "language": getattr(user, "language", "") or None,
        },
        # Single sign-on (accounts/sso): the provider's own identifier of the person is personal data too.
        "linked_identities": [
            {
                "provider": link.provider_name,
                "issuer": link.issuer,
                "subject": link.subject,
                "identity_level_at_last_login": link.last_level,
                "linked_at": link.created_at.isoformat(),
                "last_login_at": link.last_login_at.isoformat() if link.last_login_at else None,
            }
            for link in user.external_identities.order_by("created_at")
        ],
        "cases": [case_data_export(case=case, by=user) for case in cases],
    }


@transaction.atomic
def case_erasure_request(*, case: Case, by: User | None = None) -> tuple[ErasureRequest, bool]:
    """Asks for the case's personal data to be deleted: a request in the staff queue, due
    ERASURE_DEADLINE_HOURS from now. Returns (request, created); asking again while one waits returns it.
    Raises ErasureAlreadyDone when the data is already gone."""
    case = lock(case)
    if case.anonymised_at is not None:
        raise ErasureAlreadyDone(_("The personal data of this case has already been deleted."))
    waiting = ErasureRequest.objects.filter(case=case, done_at__isnull=True).first()
    if waiting is not None:
        return waiting, False
    now = clock.now()
    request = ErasureRequest.objects.create(
        case=case, requested_at=now, due_at=now + dt.timedelta(hours=settings.ERASURE_DEADLINE_HOURS)
    )
    due_date = clock.local_date(request.due_at).isoformat()
    # The leaders whose reach covers the case's agency answer for the deadline (the queue shows it too).
    leaders = User.objects.filter(
        role=Role.LEADER, is_active=True, memberships__agency_id__in=case.agency.ancestor_ids()
    ).distinct()
    for leader in leaders:
        notify_staff(leader, case, "staff_erasure_requested", due_date=due_date)
    record(
        case,
        EventType.ERASURE_REQUESTED,
        actor=_citizen(by),
        payload={"request": request.pk, "due_at": request.due_at.isoformat(), "due_date": due_date},
    )
    return request, True


@transaction.atomic
def erasure_request_carry_out(*, request: ErasureRequest, by: User) -> ErasureRequest:
    """Staff carry out a deletion request: the case is anonymised now, whatever its state (an open case is
    still answered: the access code keeps working; only the person's details go). Raises ErasureAlreadyDone
    if the request was carried out already."""
    case = lock(request.case)
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.done_at is not None:
        raise ErasureAlreadyDone(_("This deletion request has already been carried out."))
    if case.anonymised_at is None:
        anonymise_locked(case, erasure_request=request.pk)
    request.done_at = clock.now()
    request.done_by = by
    request.save(update_fields=["done_at", "done_by"])
    return request
