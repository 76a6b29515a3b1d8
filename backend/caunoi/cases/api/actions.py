"""The handling actions, one table shared by the API (POST /api/v1/cases/<id>/<action>/) and the case page.

Each entry: the serializer that validates the action's input, the service it calls, and what the page says
when it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency
from caunoi.core.serializers import StrictSerializer

from .. import services
from ..access import cases_for_staff
from ..models import Case
from ..selectors import answer_templates_for
from .serializers import _messages


class NoInput(StrictSerializer):
    pass


# Every field names itself (its label heads the page's error summary) and says what is wrong in words the
# official can act on, in the page's language: DRF's own messages ("This field may not be null.") are
# English-only and speak of nulls.


def _text(label: Any, *, missing: Any, limit: int, required: bool = True) -> serializers.CharField:
    """A text field of at most `limit` characters; longer text is refused with a message, never cut."""
    # DRF fills in {max_length}.
    too_long = _("Write {max_length} characters or fewer; your text is kept so that you can shorten it.")
    if not required:
        return serializers.CharField(
            label=label, max_length=limit, required=False, allow_blank=True, default="",
            error_messages={"max_length": too_long},
        )  # fmt: skip
    return serializers.CharField(label=label, max_length=limit, error_messages=_messages(missing, max_length=too_long))


class ApproveInput(StrictSerializer):
    """The draft version the leader read and approves: a newer draft saved meanwhile makes it stale (409)."""

    version = serializers.IntegerField(
        label=_("Version"),
        min_value=1,
        max_value=2_147_483_647,
        error_messages=_messages(
            _("Reload the page and approve the version shown."),
            invalid=_("Reload the page and approve the version shown."),
            min_value=_("Reload the page and approve the version shown."),
            max_value=_("Reload the page and approve the version shown."),
            max_string_length=_("Reload the page and approve the version shown."),
        ),
    )


class BodyInput(StrictSerializer):
    body = _text(_("Note"), missing=_("Write something first."), limit=20000)


class DraftInput(StrictSerializer):
    """The draft's text, or a template of the agency to start from; `base_version` is the version the text
    was written from (0: none), so that a draft saved meanwhile by someone else is never silently buried."""

    body = _text(_("Draft answer"), missing=_("Write something first."), limit=20000, required=False)
    template = serializers.IntegerField(
        label=_("Answer template"),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": _("Choose one of this agency's templates.")},
    )
    base_version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2_147_483_647
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["template"] is not None:
            template = answer_templates_for(self.context["case"]).filter(pk=data["template"]).first()
            if template is None:
                raise serializers.ValidationError({"template": _("Choose one of this agency's templates.")})
            data["body"] = data["body"].strip() or template.body
            data["base_version"] = None  # a template starts a new version whatever was there
        if not data["body"].strip():
            raise serializers.ValidationError({"body": _("Write something first.")})
        return data


class AssignInput(StrictSerializer):
    assignee = serializers.SlugRelatedField(
        label=_("Official"),
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        error_messages=_messages(
            _("Choose the official who should handle the case."),
            does_not_exist=_("No official named “{value}”."),
            invalid=_("Choose the official who should handle the case."),
        ),
    )


class RequestInfoInput(StrictSerializer):
    message = _text(_("What information is needed?"), missing=_("Say what information is needed."), limit=5000)


class ReturnInput(StrictSerializer):
    comment = _text(_("What should change"), missing=_("Say what should change."), limit=5000)


class TransferInput(StrictSerializer):
    agency = serializers.SlugRelatedField(
        label=_("Agency that should handle it"),
        slug_field="code",
        queryset=Agency.objects.filter(is_active=True),
        error_messages=_messages(
            _("Choose the agency that should handle the case."),
            does_not_exist=_("Unknown agency “{value}”."),
            invalid=_("Choose the agency that should handle the case."),
        ),
    )
    reason = _text(_("Reason"), missing=_("Give the reason for the transfer."), limit=2000)


_DAYS = _("Enter a whole number of days from 1 to 30.")


class ExtendInput(StrictSerializer):
    days = serializers.IntegerField(
        label=_("Extra days"),
        min_value=1,
        max_value=30,
        error_messages=_messages(
            _("Enter how many days to add, from 1 to 30."),
            invalid=_DAYS, min_value=_DAYS, max_value=_DAYS, max_string_length=_DAYS,
        ),
    )  # fmt: skip
    reason = _text(_("Reason"), missing=_("Give the reason for the extension."), limit=2000)


class RejectInput(StrictSerializer):
    reason = _text(_("Reason, as the citizen will read it"), missing=_("Give the reason."), limit=2000)
    pointer = _text(
        _("Which procedure applies instead"),
        missing=_("Say which procedure applies instead (e.g. a complaint under the Law on Complaints)."),
        limit=2000,
    )


class LinkInput(StrictSerializer):
    primary = serializers.CharField(
        label=_("Tracking code of the primary case"),
        max_length=30,
        error_messages=_messages(
            _("Enter the tracking code of the primary case, e.g. HD-2026-000123."),
            max_length=_("A tracking code looks like HD-2026-000123."),
        ),
    )

    def validate_primary(self, value: str) -> Case:
        found = cases_for_staff(self.context["user"]).filter(tracking_code=value.strip().upper()).first()
        if found is None:
            raise serializers.ValidationError(_("No case “%(code)s” in your agencies.") % {"code": value})
        return found


_TWO_AGENCIES = _("Choose at least two agencies (at most ten).")


class SplitInput(StrictSerializer):
    agencies = serializers.ListField(
        label=_("Agencies that each answer a part"),
        child=serializers.SlugRelatedField(
            slug_field="code",
            queryset=Agency.objects.filter(is_active=True),
            error_messages=_messages(
                _TWO_AGENCIES, does_not_exist=_("Unknown agency “{value}”."), invalid=_TWO_AGENCIES
            ),
        ),
        min_length=2,
        max_length=10,
        error_messages=_messages(
            _TWO_AGENCIES, min_length=_TWO_AGENCIES, max_length=_TWO_AGENCIES, not_a_list=_TWO_AGENCIES,
            empty=_TWO_AGENCIES,
        ),
    )  # fmt: skip
    note = _text(_("Note for the agencies"), missing="", limit=2000, required=False)


@dataclass(frozen=True)
class ActionSpec:
    input: type[serializers.Serializer]
    run: Callable[[Case, User, dict[str, Any]], object]
    done: Any  # the page's confirmation, a lazy translation


ACTIONS: dict[str, ActionSpec] = {
    "claim": ActionSpec(NoInput, lambda c, u, d: services.case_claim(case=c, by=u), _("You have claimed the case.")),
    "assign": ActionSpec(
        AssignInput, lambda c, u, d: services.case_assign(case=c, by=u, to=d["assignee"]), _("The case is assigned.")
    ),
    "note": ActionSpec(
        BodyInput, lambda c, u, d: services.case_note_add(case=c, by=u, body=d["body"]), _("Note added.")
    ),
    "request_info": ActionSpec(
        RequestInfoInput,
        lambda c, u, d: services.case_request_info(case=c, by=u, message=d["message"]),
        _("The citizen has been asked; the deadline is on hold until they reply."),
    ),
    "draft": ActionSpec(
        DraftInput,
        lambda c, u, d: services.case_answer_draft(case=c, by=u, body=d["body"], base_version=d["base_version"]),
        _("Draft saved."),
    ),
    "submit_for_review": ActionSpec(
        NoInput, lambda c, u, d: services.case_submit_for_review(case=c, by=u), _("Sent for review.")
    ),
    "approve": ActionSpec(
        ApproveInput,
        lambda c, u, d: services.case_approve(case=c, by=u, version=d["version"]),
        _("Approved: the answer has been sent."),
    ),
    "return": ActionSpec(
        ReturnInput,
        lambda c, u, d: services.case_return(case=c, by=u, comment=d["comment"]),
        _("Returned to the drafter."),
    ),
    "transfer": ActionSpec(
        TransferInput,
        lambda c, u, d: services.case_transfer(case=c, by=u, to_agency=d["agency"], reason=d["reason"]),
        _("The case has been transferred."),
    ),
    "extend": ActionSpec(
        ExtendInput,
        lambda c, u, d: services.case_extend(case=c, by=u, days=d["days"], reason=d["reason"]),
        _("The deadline has been extended."),
    ),
    "reject": ActionSpec(
        RejectInput,
        lambda c, u, d: services.case_reject(case=c, by=u, reason=d["reason"], pointer=d["pointer"]),
        _("The case has been closed as outside our remit."),
    ),
    "link_duplicate": ActionSpec(
        LinkInput,
        lambda c, u, d: services.case_link_duplicate(case=c, by=u, primary=d["primary"]),
        _("Linked: the primary case's answer will reach this asker too."),
    ),
    "split": ActionSpec(
        SplitInput,
        lambda c, u, d: services.case_split(case=c, by=u, agencies=d["agencies"], note=d["note"]),
        _("The case has been split into parts."),
    ),
}
