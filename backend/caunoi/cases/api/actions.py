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


class NoInput(StrictSerializer):
    pass


class ApproveInput(StrictSerializer):
    """The draft version the leader read and approves: a newer draft saved meanwhile makes it stale (409)."""

    version = serializers.IntegerField(min_value=1, max_value=2_147_483_647)


class BodyInput(StrictSerializer):
    body = serializers.CharField(max_length=20000, error_messages={"blank": _("Write something first.")})


class DraftInput(StrictSerializer):
    """The draft's text, or a template of the agency to start from."""

    body = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    template = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["template"] is not None:
            template = answer_templates_for(self.context["case"]).filter(pk=data["template"]).first()
            if template is None:
                raise serializers.ValidationError({"template": _("Choose one of this agency's templates.")})
            data["body"] = data["body"].strip() or template.body
        if not data["body"].strip():
            raise serializers.ValidationError({"body": _("Write something first.")})
        return data


class AssignInput(StrictSerializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        error_messages={"does_not_exist": _("No official named “{value}”.")},
    )


class RequestInfoInput(StrictSerializer):
    message = serializers.CharField(max_length=5000, error_messages={"blank": _("Say what information is needed.")})


class ReturnInput(StrictSerializer):
    comment = serializers.CharField(max_length=5000, error_messages={"blank": _("Say what should change.")})


class TransferInput(StrictSerializer):
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(is_active=True),
        error_messages={"does_not_exist": _("Unknown agency “{value}”.")},
    )
    reason = serializers.CharField(max_length=2000, error_messages={"blank": _("Give the reason for the transfer.")})


class ExtendInput(StrictSerializer):
    days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField(max_length=2000, error_messages={"blank": _("Give the reason for the extension.")})


class RejectInput(StrictSerializer):
    reason = serializers.CharField(max_length=2000, error_messages={"blank": _("Give the reason.")})
    pointer = serializers.CharField(
        max_length=2000,
        error_messages={
            "blank": _("Say which procedure applies instead (e.g. a complaint under the Law on Complaints).")
        },
    )


class LinkInput(StrictSerializer):
    primary = serializers.CharField(max_length=30)

    def validate_primary(self, value: str) -> Case:
        found = cases_for_staff(self.context["user"]).filter(tracking_code=value.strip().upper()).first()
        if found is None:
            raise serializers.ValidationError(_("No case “%(code)s” in your agencies.") % {"code": value})
        return found


class SplitInput(StrictSerializer):
    agencies = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.filter(is_active=True)),
        min_length=2,
        max_length=10,
    )
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


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
        DraftInput, lambda c, u, d: services.case_answer_draft(case=c, by=u, body=d["body"]), _("Draft saved.")
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
