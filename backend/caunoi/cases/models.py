"""Cases (questions, feedback, petitions), their attachments and their append-only timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency, Area, Category
from caunoi.core.models import TimeStampedModel


class Kind(models.TextChoices):
    QUESTION = "question", _("Question")
    FEEDBACK = "feedback", _("Feedback")
    PETITION = "petition", _("Petition")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    DIALOGUE = "dialogue", _("Online dialogue")


# The prefix of a tracking code tells a citizen at a glance what they sent: HD hỏi đáp, PA phản ánh, KN kiến nghị.
TRACKING_PREFIX = {Kind.QUESTION: "HD", Kind.FEEDBACK: "PA", Kind.PETITION: "KN"}


class Case(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"))
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    contact_name = models.CharField(_("full name"), max_length=120)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_address = models.CharField(_("address"), max_length=255, blank=True)
    # The name is never public unless the citizen opts in; consent to publish covers question and answer.
    show_name_publicly = models.BooleanField(_("show my name if published"), default=False)
    consent_to_publish = models.BooleanField(_("consent to publish"), default=False)

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    # sha256 of the secret access token: the token itself is shown to the citizen once and never stored.
    access_token_hash = models.CharField(max_length=64)

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=32)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )

    # Why the case is at its agency: the routing rule that matched (empty for the fallback) and its version.
    routing_rule = models.CharField(max_length=80, blank=True)
    routing_explanation = models.JSONField(default=dict)

    # The clock: started when the case reached its current agency, paused while waiting for the citizen.
    # `due_at` is stored when computed (Conventions: store decisions, derive time); NULL while paused.
    received_at = models.DateTimeField(_("received at"))
    clock_started_on = models.DateField()
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_explanation = models.JSONField(default=dict)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The versions of /workflows in force when the case was opened.
    lifecycle_version = models.PositiveIntegerField()
    routing_version = models.PositiveIntegerField()
    deadline_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="case_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Files are stored under unguessable names; the citizen's file name is kept in the database only.
    return f"attachments/{instance.case.received_at:%Y/%m}/{instance.stored_name}"


class Attachment(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Pause(models.Model):
    """A stretch of time when the clock did not run (waiting for the citizen). Dates are local dates."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(ended_on__isnull=True), name="one_open_pause_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} paused {self.started_on}–{self.ended_on or '…'}"


class EventType(models.TextChoices):
    """The closed list of things that happen to a case. Add a type here before any code records it."""

    SUBMITTED = "submitted", _("Submitted")  # the citizen sent it; payload: channel
    ROUTED = "routed", _("Routed")  # sent to an agency by a rule or the fallback; payload: rule, agency
    DEADLINE_SET = "deadline_set", _("Deadline set")  # due date computed; payload: due_date, explanation
    CLOCK_PAUSED = "clock_paused", _("Clock paused")  # waiting for the citizen; payload: reason
    CLOCK_RESUMED = "clock_resumed", _("Clock resumed")  # the citizen replied; payload: due_date
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadline recomputed")  # calendar changed; payload: old, new
    STATUS_CHANGED = "status_changed", _("Status changed")  # a lifecycle transition; payload: transition


# Events a citizen sees on the track page; the rest are internal.
PUBLIC_EVENT_TYPES = frozenset(
    {
        EventType.SUBMITTED,
        EventType.ROUTED,
        EventType.CLOCK_PAUSED,
        EventType.CLOCK_RESUMED,
        EventType.DEADLINE_RECOMPUTED,
        EventType.STATUS_CHANGED,
    }
)


class CaseEvent(models.Model):
    """Append-only: rows are inserted in the same transaction as the change they record, never updated."""

    # (case, at) is indexed below; the case id alone needs no index of its own.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    type = models.CharField(max_length=32, choices=EventType.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=32)  # the case's status after the event
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(default=dict)
    lifecycle_version = models.PositiveIntegerField()
    routing_version = models.PositiveIntegerField()
    deadline_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="event_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.at:%Y-%m-%d %H:%M}"
