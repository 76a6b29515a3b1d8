"""Who may use the intake desk: the one place each of its actions is checked."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import Role, User
from caunoi.cases.models import STAFF_ENTERED_CHANNELS, Case, CaseEvent, EventType
from caunoi.core.errors import NotFound

from .models import InboundMail

# Front-desk work: officials and leaders record what reached their agency; administrators can stand in.
# Citizens use their own form; moderators judge content and never hold a case.
STAFF_INTAKE_ROLES = frozenset({Role.OFFICIAL, Role.LEADER, Role.ADMIN})


def may_enter_for_citizen(user: User) -> bool:
    """Whether `user` may record a letter, call, visit or fax as a case for a citizen."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return user.role in STAFF_INTAKE_ROLES


def cases_entered_by(user: User) -> QuerySet[Case]:
    """The cases `user` entered for citizens (their receipts are theirs to print); none for others."""
    if not may_enter_for_citizen(user):
        return Case.objects.none()
    entered = CaseEvent.objects.filter(type=EventType.SUBMITTED, actor=user).values("case_id")
    return Case.objects.select_related("agency").filter(pk__in=entered, channel__in=STAFF_ENTERED_CHANNELS)


def access_entered_case(user: User, case_id: int) -> Case:
    """A case `user` entered for a citizen. Raises NotFound otherwise."""
    case = cases_entered_by(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case not found."))
    return case


# Mail that waits for staff is read by those who judge content: moderators and administrators.
MAIL_QUEUE_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})


def may_handle_held_mail(user: User) -> bool:
    """Whether `user` may read the mail held for staff and act on it (discard it, add it to a case)."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return user.role in MAIL_QUEUE_ROLES


def held_mail_for(user: User) -> QuerySet[InboundMail]:
    if not may_handle_held_mail(user):
        return InboundMail.objects.none()
    return InboundMail.objects.filter(status=InboundMail.Status.HELD)


def access_held_mail(user: User, mail_id: int) -> InboundMail:
    """A held mail `user` may act on. Raises NotFound otherwise (also once it was handled)."""
    mail = held_mail_for(user).filter(pk=mail_id).first()
    if mail is None:
        raise NotFound(_("Mail not found."))
    return mail
