"""The one definition of what a valid submission is: the API and the web form both validate with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caunoi.accounts.sso.session import SessionIdentity
from caunoi.agencies.models import Area, Category
from caunoi.agencies.reference import ReferenceData, reference_data
from caunoi.core.serializers import StrictSerializer
from caunoi.core.textlimit import LimitedCharField
from caunoi.portals.selectors import BUILT_IN, PortalSite

from ..attachments import AttachmentRejected, CheckedFile, check_attachment
from ..models import Case, Kind, Message
from ..selectors import status_label

# The longest texts citizens may write; the forms show them with a character count (js/character-count.js).
BODY_MAX_LENGTH = 10_000
REPLY_MAX_LENGTH = 10_000
APPEAL_MAX_LENGTH = 10_000
RATING_COMMENT_MAX_LENGTH = 2_000

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Vietnamese numbers: 0 or +84 then 9 digits (mobiles, new landlines) or 10 (older landline formats).
_VN_PHONE = re.compile(r"^(?:\+?84|0)\d{9,10}$")


def _messages(missing: Any, **others: Any) -> dict[str, Any]:
    """One clear message for a missing field, whether it was left out, left blank or sent as null."""
    return {"required": missing, "blank": missing, "null": missing, **others}


def normalise_phone(value: str) -> str:
    return _PHONE_SEPARATORS.sub("", value)


@extend_schema_field(OpenApiTypes.STR)
class ReferenceField(serializers.Field):
    """A category slug or area code, looked up in the per-process reference copy (no query per request)."""

    default_error_messages = {"does_not_exist": "“{value}” does not exist.", "invalid": "Expected a code."}

    def __init__(self, *, lookup: Callable[[ReferenceData], dict[str, Any]], **kwargs: Any) -> None:
        self.lookup = lookup
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # A form's "none chosen" option sends an empty string: treat it as no value, not as an unknown code.
        if isinstance(data, str) and not data.strip():
            data = None
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        found = self.lookup(reference_data()).get(data.strip())
        if found is None:
            self.fail("does_not_exist", value=data)
        return found

    def to_representation(self, value: Any) -> str:
        return str(getattr(value, "slug", None) or value.code)


def attachments_field() -> serializers.ListField:
    """Files sent with a form (the request or a reply), each checked by checked_attachments."""
    return serializers.ListField(child=serializers.FileField(allow_empty_file=True), required=False, default=list)


def checked_attachments(files: list[Any]) -> list[CheckedFile]:
    """The intake's checks on attached files (count, then each file's type, size and content): every
    refusal names its file, all are reported at once."""
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise serializers.ValidationError(
            _("Attach at most %(count)d files.") % {"count": settings.ATTACHMENT_MAX_COUNT}
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(check_attachment(upload))
        except AttachmentRejected as exc:
            errors.append(str(exc))
    if errors:
        raise serializers.ValidationError(errors)
    return checked


class CaseSubmitSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        label=_("What are you sending?"),
        choices=Kind.choices,
        error_messages={
            "invalid_choice": _("Choose question, feedback or petition."),
            "required": _("Choose what you are sending: a question, feedback or a petition."),
        },
    )
    # Over-long texts are refused with the limit and the count (core/textlimit.py), never cut.
    title = LimitedCharField(
        label=_("Title"),
        min_length=5,
        max_length=200,
        error_messages=_messages(_("Enter a title."), min_length=_("The title must be at least 5 characters.")),
    )
    body = LimitedCharField(
        label=_("Content"),
        min_length=10,
        max_length=BODY_MAX_LENGTH,
        error_messages=_messages(
            _("Write your question, feedback or petition."),
            min_length=_("The content must be at least 10 characters."),
        ),
    )
    category = ReferenceField(
        label=_("Category"),
        lookup=lambda known: known.categories,
        error_messages={
            "does_not_exist": _("Unknown category “{value}”."),
            "invalid": _("Unknown category."),
            **_messages(_("Choose a category.")),
        },
    )
    area = ReferenceField(
        label=_("Area"),
        lookup=lambda known: known.areas,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Unknown area “{value}”."), "invalid": _("Unknown area.")},
    )
    name = LimitedCharField(label=_("Full name"), max_length=120, error_messages=_messages(_("Enter your full name.")))
    email = serializers.EmailField(label=_("Email"), required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(label=_("Phone"), required=False, allow_blank=True, max_length=20)
    address = LimitedCharField(label=_("Address"), required=False, allow_blank=True, max_length=255)
    consent_to_publish = serializers.BooleanField(default=False)
    show_name_publicly = serializers.BooleanField(default=False)
    attachments = attachments_field()

    def validate_phone(self, value: str) -> str:
        if value and not _VN_PHONE.match(normalise_phone(value)):
            raise serializers.ValidationError(
                _("Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 24 3825 1234.")
            )
        return value

    def validate_attachments(self, files: list[Any]) -> list[CheckedFile]:
        return checked_attachments(files)


class AgencyBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SubmittedSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="The case's id for staff: GET /api/v1/cases/<id>/ and its actions (the citizen uses the "
        "tracking code)."
    )
    tracking_code = serializers.CharField()
    access_token = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    agency = AgencyBriefSerializer()
    due_at = serializers.DateTimeField(allow_null=True)
    track_url = serializers.CharField()
    similar = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="With ?similar=N: published answers to similar questions (title, url, shared_words).",
    )


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    type = serializers.CharField()
    text = serializers.CharField()


class ActionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    agency = AgencyBriefSerializer()
    assignee = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class MessageAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()


class CaseMessageSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_citizen = serializers.BooleanField()
    body = serializers.CharField()
    attachments = MessageAttachmentSerializer(many=True, read_only=True)


class CitizenClockSerializer(serializers.Serializer):
    received_on = serializers.DateField(help_text="The first receipt: the citizen's clock never restarts.")
    unit = serializers.ChoiceField(choices=["working_days", "calendar_days"])
    legal_days = serializers.IntegerField(help_text="The legal period, without extensions.")
    legal_basis = serializers.CharField()
    legal_due_date = serializers.DateField(
        allow_null=True, help_text="The legal period counted from the first receipt (pauses not counting)."
    )
    days_elapsed = serializers.IntegerField(help_text="Days of the unit since receipt, up to today or the answer.")
    transfers = serializers.IntegerField()
    agencies = serializers.IntegerField(help_text="How many agencies have held the case.")


class AgencyClockSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    started_on = serializers.DateField(help_text="The holding agency's first arrival: its clock's start.")
    holdings = serializers.IntegerField(help_text="How many times this agency has held the case.")
    days_used = serializers.IntegerField(help_text="Days counted on its clock: only while it held the case.")
    legal_days = serializers.IntegerField()
    extension_days = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True, help_text="Null while the clock is paused.")


class ForwardingSerializer(serializers.Serializer):
    """The forwarding period (Decree 20/2008), while nobody at the agency has taken the case up."""

    date = serializers.DateField(help_text="The last day to forward the case if the agency is not competent.")
    passed = serializers.BooleanField()


class ClocksSerializer(serializers.Serializer):
    """The case's two clocks (see cases/clocks.py)."""

    citizen = CitizenClockSerializer()
    agency = AgencyClockSerializer()


class TrackedCaseSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    clock = serializers.CharField()
    agency = AgencyBriefSerializer()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    clocks = ClocksSerializer()
    timeline = TimelineEntrySerializer(many=True)
    answer = serializers.CharField(allow_null=True)
    messages = CaseMessageSerializer(many=True)
    can_reply = serializers.BooleanField()
    rating = serializers.IntegerField(allow_null=True)
    can_rate = serializers.BooleanField()
    can_appeal = serializers.BooleanField()
    appeal_until = serializers.DateField(allow_null=True, help_text="The last day the answer may be appealed.")


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    suspicious_reason = serializers.CharField(
        help_text="Why staff should be careful opening it (empty for an ordinary file); such a file is always "
        "downloaded as application/octet-stream."
    )


class StaffAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class OwnCaseSerializer(serializers.ModelSerializer):
    """A case in the list of those the logged-in client sent (GET /api/v1/cases/mine/)."""

    agency = StaffAgencySerializer()
    status_label = serializers.SerializerMethodField()
    track_url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = (
            "tracking_code", "kind", "title", "status", "status_label", "agency", "received_at", "due_at",
            "closed_at", "track_url",
        )  # fmt: skip

    def get_status_label(self, case: Case) -> str:
        return status_label(case)

    def get_track_url(self, case: Case) -> str:
        return str(self.context["request"].build_absolute_uri(reverse("cases:track-detail", args=[case.tracking_code])))


class StaffNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class StaffDraftSerializer(serializers.Serializer):
    """One saved version of the answer; the approved ones are what the citizen reads."""

    number = serializers.IntegerField(help_text="What the approve action's `version` names.")
    body = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    approved_at = serializers.DateTimeField(allow_null=True)


class StaffMessageSerializer(serializers.Serializer):
    """What the agency asked the citizen and what the citizen answered."""

    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    body = serializers.CharField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class StaffEventSerializer(serializers.Serializer):
    """One row of the case's append-only timeline, every event type (the citizen sees only some)."""

    at = serializers.DateTimeField()
    type = serializers.CharField()
    label = serializers.CharField(source="get_type_display")  # type: ignore[assignment]
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    status = serializers.CharField(help_text="The case's status after the event.")
    agency = serializers.CharField(source="agency.code", help_text="The agency holding the case then.")
    payload = serializers.DictField(help_text="The event's details (its keys depend on the type).")


class PublicationReviewLinkSerializer(serializers.Serializer):
    """The item proposed for publication from this case: GET /api/v1/publication-reviews/<id>/."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending_review, published, unpublished or declined.")


class StaffCaseSerializer(serializers.ModelSerializer):
    agency = StaffAgencySerializer()
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    area: serializers.SlugRelatedField[Area] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    routing = serializers.JSONField(source="routing_explanation")
    due_computation = serializers.JSONField()
    clocks = ClocksSerializer()
    forwarding = ForwardingSerializer(allow_null=True)
    attachments = AttachmentSerializer(many=True)
    status_label = serializers.CharField()
    overdue = serializers.BooleanField()
    notes = StaffNoteSerializer(many=True, help_text="Internal notes: never shown to the citizen.")
    drafts = StaffDraftSerializer(many=True, source="answer_versions")
    messages = StaffMessageSerializer(many=True)
    timeline = StaffEventSerializer(many=True, source="events")
    publication_review = PublicationReviewLinkSerializer(allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id", "tracking_code", "kind", "title", "body", "category", "area", "channel", "status",
            "status_label", "agency", "contact_name", "contact_email", "contact_phone", "contact_address",
            "consent_to_publish", "show_name_publicly", "received_at", "due_at", "overdue", "routing",
            "due_computation", "clocks", "forwarding", "attachments", "lifecycle_version", "routing_version",
            "deadline_version", "stage", "notes", "drafts", "messages", "timeline", "publication_review",
            "identity_provider", "identity_level",
        ]  # fmt: skip
        extra_kwargs = {
            "identity_provider": {"help_text": "The single sign-on the citizen was logged in with; empty if none."},
            "identity_level": {"help_text": "The identity level that provider asserted (VNeID: 1 or 2); null if none."},
        }


class CitizenReplyInput(StrictSerializer):
    body = LimitedCharField(
        max_length=REPLY_MAX_LENGTH, error_messages=_messages(_("Write your reply before sending it."))
    )
    attachments = attachments_field()  # the documents the agency asked for, checked as at intake

    def validate_attachments(self, files: list[Any]) -> list[CheckedFile]:
        return checked_attachments(files)


class AppealInput(StrictSerializer):
    reason = LimitedCharField(
        max_length=APPEAL_MAX_LENGTH,
        help_text="Why the citizen disagrees with the answer.",
        error_messages=_messages(_("Say why you disagree with the answer.")),
    )


class AppealResultSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    stage = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)


class RatingInput(StrictSerializer):
    score = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            key: _("Choose a rating from 1 to 5.")
            for key in ("required", "null", "invalid", "min_value", "max_value", "max_string_length")
        },
    )
    comment = LimitedCharField(max_length=RATING_COMMENT_MAX_LENGTH, required=False, default="", allow_blank=True)


class RatingSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField())


def submit_validated(
    serializer: CaseSubmitSerializer,
    *,
    channel: str,
    user: Any,
    idempotency_key: str | None = None,
    site: PortalSite = BUILT_IN,
    identity: SessionIdentity | None = None,
) -> Any:
    """Calls the intake service with a validated submission (shared by the API and the web form)."""
    from ..services import Contact, case_submit

    data = serializer.validated_data
    return case_submit(
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        category=data["category"],
        area=data.get("area"),
        channel=channel,
        contact=Contact(
            name=data["name"],
            email=data.get("email", ""),
            phone=normalise_phone(data.get("phone", "")),
            address=data.get("address", ""),
        ),
        consent_to_publish=data["consent_to_publish"],
        show_name_publicly=data["show_name_publicly"],
        attachments=data["attachments"],
        submitter=user if getattr(user, "is_authenticated", False) else None,
        language=get_language() or "vi",
        idempotency_key=idempotency_key,
        site=site,
        identity=identity,
    )
