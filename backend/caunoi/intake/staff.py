"""Staff-entered intake ("nhập hộ", Decision 31/2021/QĐ-TTg Art. 43): a letter, phone call, visit or fax
recorded by an official for a citizen becomes a case like any other, its clock started by the legal date of
receipt rather than the day it was typed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from caunoi.accounts.models import User
from caunoi.cases.api.serializers import CaseSubmitSerializer, normalise_phone
from caunoi.cases.models import STAFF_ENTERED_CHANNELS
from caunoi.cases.services import Contact, Submitted, case_submit
from caunoi.core import clock
from caunoi.core.transactions import service_transaction


def max_backdate_days() -> int:
    """How far back a receipt date may go (STAFF_INTAKE_MAX_BACKDATE_DAYS, default 30): a letter waits days at
    a front desk, not months; a date further back is far more likely a typing error (a wrong month or year)
    than a late entry, and would start the case long overdue. Older mail is entered with today's date and its
    real date in a note."""
    return int(getattr(settings, "STAFF_INTAKE_MAX_BACKDATE_DAYS", 30))


class StaffEnteredSerializer(CaseSubmitSerializer):
    """The citizen's submission as the official took it down, plus how and when it arrived."""

    channel = serializers.ChoiceField(
        label=_("How it arrived"),
        choices=[(c.value, c.label) for c in STAFF_ENTERED_CHANNELS],
        error_messages={
            "invalid_choice": _("Choose letter, phone call, in person, fax or e-mail."),
            "required": _("Choose how the request arrived."),
            "blank": _("Choose how the request arrived."),
            "null": _("Choose how the request arrived."),
        },
    )
    received_on = serializers.DateField(
        label=_("Date of receipt"),
        input_formats=["iso-8601"],
        help_text="The legal date of receipt (the stamp on the letter, the day of the call or visit): the clock "
        "starts from it. Not in the future, and not more than STAFF_INTAKE_MAX_BACKDATE_DAYS (default 30) ago.",
        error_messages={
            "invalid": _("Enter the date as YYYY-MM-DD."),
            "required": _("Enter the date the letter, call, visit or fax was received."),
            "null": _("Enter the date the letter, call, visit or fax was received."),
        },
    )

    def to_internal_value(self, data: Any) -> Any:
        # A form's empty date field means "not given", which DRF's DateField would call malformed.
        if hasattr(data, "get") and data.get("received_on") == "":
            data = data.copy()
            data.pop("received_on")
        return super().to_internal_value(data)

    def validate_received_on(self, value: dt.date) -> dt.date:
        today = clock.local_date()
        if value > today:
            raise serializers.ValidationError(_("The date of receipt cannot be in the future."))
        if value < today - dt.timedelta(days=max_backdate_days()):
            raise serializers.ValidationError(
                _("The date of receipt cannot be more than %(days)d days ago.") % {"days": max_backdate_days()}
            )
        return value


def receipt_moment(received_on: dt.date) -> dt.datetime:
    """When the case counts as received: now if it came in today, else the start of that day (Vietnam time)."""
    now = clock.now()
    if received_on >= clock.local_date(now):
        return now
    return dt.datetime.combine(received_on, dt.time.min, tzinfo=timezone.get_current_timezone())


@service_transaction
def case_enter_for_citizen(*, data: dict[str, Any], by: User) -> Submitted:
    """Stores the case an official took down (`data`: StaffEnteredSerializer's validated data), received on
    its date of receipt, with `by` as the actor of its submitted event. Never held as a flood (a person
    entered it). The receipt goes to the contact given, with the access code (the citizen never saw the
    confirmation page); the desk can also print it (web/views.py). The caller checks `may_enter_for_citizen`."""
    return case_submit(
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        category=data["category"],
        area=data.get("area"),
        channel=data["channel"],
        contact=Contact(
            name=data["name"],
            email=data.get("email", ""),
            phone=normalise_phone(data.get("phone", "")),
            address=data.get("address", ""),
        ),
        consent_to_publish=data["consent_to_publish"],
        show_name_publicly=data["show_name_publicly"],
        attachments=data["attachments"],
        language=get_language() or "vi",
        screen_flood=False,
        received_at=receipt_moment(data["received_on"]),
        entered_by=by,
        receipt_with_access_code=True,
    )
