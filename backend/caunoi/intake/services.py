"""What staff do with mail held for them (the holding queue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.cases.access import TRACKING_CODE
from caunoi.cases.models import Case, Channel
from caunoi.cases.services import case_citizen_message
from caunoi.core import clock
from caunoi.core.errors import ValidationFailed

from .models import InboundMail


def held_mail_discard(*, mail: InboundMail, by: User) -> InboundMail:
    """Marks the held mail discarded (it is kept, with who discarded it and when)."""
    updated = InboundMail.objects.filter(pk=mail.pk, status=InboundMail.Status.HELD).update(
        status=InboundMail.Status.DISCARDED, handled_by=by, handled_at=clock.now()
    )
    if updated:
        mail.refresh_from_db()
    return mail


def held_mail_add_to_case(*, mail: InboundMail, tracking_code: str, by: User) -> InboundMail:
    """Adds the held mail's text to the open case at `tracking_code` as the citizen's message (staff judged
    that it belongs there, e.g. a reply from another address). Raises ValidationFailed naming the field."""
    code = tracking_code.strip().upper()
    case = Case.objects.filter(tracking_code=code).first() if TRACKING_CODE.fullmatch(code) else None
    if case is None:
        raise ValidationFailed({"tracking_code": [str(_("No case has this tracking code."))]})
    if case.closed_at is not None:
        raise ValidationFailed({"tracking_code": [str(_("This case is closed."))]})
    if not mail.text.strip():
        raise ValidationFailed({"tracking_code": [str(_("This mail has no text to add."))]})
    case_citizen_message(case=case, body=mail.text, via=Channel.EMAIL)
    InboundMail.objects.filter(pk=mail.pk).update(
        status=InboundMail.Status.ADDED_TO_CASE, case=case, handled_by=by, handled_at=clock.now()
    )
    mail.refresh_from_db()
    return mail
