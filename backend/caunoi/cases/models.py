"""Cases (questions, feedback, petitions), their attachments and their append-only timeline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency, Area, Category
from caunoi.core.db import VnUnaccent
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
    # Entered by staff for a citizen (Decision 31/2021/QĐ-TTg Art. 43), and mail to the intake address.
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("In person")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")


# The channels an official may record for a citizen (caunoi.intake.staff): what reached the front desk.
STAFF_ENTERED_CHANNELS = (Channel.LETTER, Channel.PHONE, Channel.WALK_IN, Channel.FAX, Channel.EMAIL)


# The prefix of a tracking code tells a citizen at a glance what they sent: HD hỏi đáp, PA phản ánh, KN kiến nghị.
TRACKING_PREFIX = {Kind.QUESTION: "HD", Kind.FEEDBACK: "PA", Kind.PETITION: "KN"}

# Where paused cases (no due date) sort in the work queue: after every dated one.
QUEUE_END = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class Case(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"))
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # The site the citizen sent the case from: messages lead back to it. No index: a site is deleted rarely
    # (deactivating is the usual way), and an index would cost every submission.
    site = models.ForeignKey(
        "portals.Portal",
        verbose_name=_("sent from site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
    )

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # Sent while logged in through single sign-on: the provider and the identity level it asserted (VNeID
    # level 2 is a person checked against the national population database), for staff weighing the case.
    identity_provider = models.CharField(_("identified by"), max_length=60, blank=True, default="", db_default="")
    identity_level = models.PositiveSmallIntegerField(_("identity level"), null=True, blank=True)
    contact_name = models.CharField(_("full name"), max_length=120)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_address = models.CharField(_("address"), max_length=255, blank=True)
    # The name is never public unless the citizen opts in; consent to publish covers question and answer.
    show_name_publicly = models.BooleanField(_("show my name if published"), default=False)
    consent_to_publish = models.BooleanField(_("consent to publish"), default=False)
    # The language the citizen used: messages to them are written in it.
    language = models.CharField(_("language"), max_length=8, default="vi")

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

    # The holding agency's clock (cases/clocks.py): started the first day that agency held the case, counting
    # only the days it held it (ClockSegment), paused while waiting for the citizen.
    # `due_at` is stored when computed (Conventions: store decisions, derive time); NULL while paused.
    received_at = models.DateTimeField(_("received at"))
    clock_started_on = models.DateField()
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_explanation = models.JSONField(default=dict)
    closed_at = models.DateTimeField(null=True, blank=True)  # set when answered or rejected: "open" = NULL
    # Set when the submitter's personal data was removed, ANONYMISE_AFTER_MONTHS after closing.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # A forwarded case must leave a non-competent agency within 5 working days of reaching it (Decree 20/2008).
    forward_by = models.DateField(null=True, blank=True)
    # Held for moderation (one of many near-identical submissions in a short time, cases/services/flood.py):
    # in no official's queue and without a running clock until an administrator releases it.
    held_at = models.DateTimeField(null=True, blank=True)
    held_reason = models.CharField(max_length=200, blank=True, default="")

    # Bulk answers: duplicates point at their primary, whose approved answer reaches every linked asker.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # 1 until the citizen appeals the answer; 2 for the second stage (its own clock, deadline policy `appeal`).
    stage = models.PositiveSmallIntegerField(_("stage"), default=1, db_default=1)  # db_default: raw INSERTs too

    # Splits: each part goes to one agency with its own clock; the whole is answered when every part is.
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts")

    # Title and content folded (lower case, no Vietnamese marks), kept by PostgreSQL on every write: the work
    # queue's text filter reads it, where folding each open case on every search cost 50 µs a row (4 s for a
    # busy agency's queue); a trigram index on open cases finds rare words without reading them all.
    folded_text = models.GeneratedField(
        expression=VnUnaccent(Concat("title", Value(" "), "body", output_field=models.TextField())),
        output_field=models.TextField(),
        db_persist=True,
    )

    # The versions of /workflows in force when the case was opened.
    lifecycle_version = models.PositiveIntegerField()
    routing_version = models.PositiveIntegerField()
    deadline_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The work queue: open cases of an agency in due-date order (paused ones last), keyset-paginated.
            models.Index(
                F("agency"),
                Coalesce("due_at", Value(QUEUE_END)),
                F("id"),
                name="case_open_queue_idx",
                condition=Q(closed_at__isnull=True),
            ),
            GinIndex(
                OpClass(F("folded_text"), name="gin_trgm_ops"),
                name="case_open_folded_trgm_idx",
                condition=Q(closed_at__isnull=True),
            ),
        ]
        constraints = [
            # A case is never its own duplicate or its own part (cycles through other cases are refused by the
            # services, which lock both rows).
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("id")), name="case_not_own_duplicate"
            ),
            models.CheckConstraint(
                condition=Q(split_from__isnull=True) | ~Q(split_from=F("id")), name="case_not_own_part"
            ),
            # A case in a final state is closed: "open" (closed_at NULL) is what the queue and the sweep read, so
            # an answered or rejected case without it would be worked and reminded of forever.
            models.CheckConstraint(
                condition=~Q(status__in=["answered", "rejected"]) | Q(closed_at__isnull=False),
                name="case_final_status_closed",
            ),
            # One appeal per case: the second stage's answer is final on the platform.
            models.CheckConstraint(condition=Q(stage__in=[1, 2]), name="case_stage_1_or_2"),
            # A held case's clock has not started: it gets its due date when it is released.
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | Q(due_at__isnull=True), name="case_held_has_no_due_date"
            ),
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
    # Why staff should be careful opening it (cases/attachments.py), "" for an ordinary file. A suspicious file
    # is shown with this warning and always downloaded as opaque bytes, never opened in the browser.
    suspicious_reason = models.CharField(max_length=200, blank=True, default="")
    # The citizen's reply it came with (None: sent with the request itself). Read by case (indexed) and
    # grouped by message in Python, so no index of its own.
    message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments", db_index=False
    )

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


class ClockSegment(models.Model):
    """One holding of a case by one agency: from the day it reached the agency (`started_on`, by routing, a
    split or a transfer) to the day it left (`ended_on`, by a transfer; NULL while the agency holds it, also
    after the case is closed). Dates are local dates.

    The clock model (see `cases/clocks.py`): together with the pauses (`Pause`, the days nobody's clock ran
    while waiting for the citizen), the segments give
    - the citizen's clock: from the first receipt (`Case.received_at`), never restarted;
    - each agency's clock: from the first day it held the case, counting only the days it held it, so time
      accumulates across holdings and a case transferred back continues the agency's earlier clock; a
      lawful forward to an agency that never held it starts that agency's clock (Decree 20/2008).
    `Case.clock_started_on` is the holding agency's first arrival and `Case.due_at` its clock's due date.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_segments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(ended_on__isnull=True), name="one_open_clock_segment_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="clock_segment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} at {self.agency_id} from {self.started_on}"


class EventType(models.TextChoices):
    """The closed list of things that happen to a case. Add a type here before any code records it."""

    SUBMITTED = "submitted", _("Submitted")  # the citizen sent it; payload: channel
    ROUTED = "routed", _("Routed")  # sent to an agency by a rule or the fallback; payload: rule, agency
    DEADLINE_SET = "deadline_set", _("Deadline set")  # due date computed; payload: due_date
    CLOCK_PAUSED = "clock_paused", _("Clock paused")  # waiting for the citizen; payload: reason
    CLOCK_RESUMED = "clock_resumed", _("Clock resumed")  # the citizen replied; payload: due_date
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadline recomputed")  # calendar changed; payload: old, new
    STATUS_CHANGED = "status_changed", _("Status changed")  # a lifecycle transition; payload: transition
    CLAIMED = "claimed", _("Claimed")  # an official took the case; payload: assignee
    ASSIGNED = "assigned", _("Assigned")  # a leader gave it to an official; payload: assignee
    NOTE_ADDED = "note_added", _("Internal note added")  # payload: note id (the text stays in Note)
    INFO_REQUESTED = "info_requested", _("Information requested")  # payload: message id; the clock pauses
    CITIZEN_REPLIED = "citizen_replied", _("Citizen replied")  # payload: message id; the clock resumes
    # The citizen wrote while nothing was asked of them (a reply by e-mail); payload: message id, via
    CITIZEN_WROTE = "citizen_wrote", _("Citizen wrote")
    ANSWER_DRAFTED = "answer_drafted", _("Answer drafted")  # payload: version
    REVIEW_REQUESTED = "review_requested", _("Sent for review")  # payload: version
    RETURNED = "returned", _("Returned to the drafter")  # payload: comment
    ANSWERED = "answered", _("Answered")  # a leader approved; payload: version, approver
    TRANSFERRED = "transferred", _("Transferred")  # payload: from, to, reason, due_date
    EXTENDED = "extended", _("Deadline extended")  # payload: days, reason, due_date
    REJECTED = "rejected", _("Rejected as out of scope")  # payload: reason, pointer
    LINKED = "linked", _("Linked as a duplicate")  # payload: primary
    SPLIT = "split", _("Split into parts")  # payload: parts (agency codes)
    RATED = "rated", _("Rated")  # payload: score (who rated is never recorded)
    REMINDED = "reminded", _("Deadline reminder sent")  # by the sweep; payload: days_before
    # By the sweep. Payload of these and of forwarding_*: mark, due_date, level (escalation), meant_for (the
    # agency the alert was for), notified_agency, notified (usernames), why (assignee | agency | nearest_above
    # | triage_desk | no_one).
    OVERDUE = "overdue", _("Became overdue")  # escalated to the parent agency's leaders (level 1)
    ESCALATED = "escalated", _("Escalated further")  # still late N working days on: one level further up
    LATE_UPDATE = "late_update", _("Status update sent while late")  # by the sweep; payload: week
    # By the sweep, while an agency has not yet taken the case up: its forwarding period (Decree 20/2008) ends
    # soon, or has passed. Payload: mark, due_date (the forwarding date), notified.
    FORWARDING_REMINDED = "forwarding_reminded", _("Forwarding reminder sent")
    FORWARDING_OVERDUE = "forwarding_overdue", _("Forwarding period passed")
    # The citizen appealed the answer: the case reopens as stage 2; payload: message (the reason, in Message),
    # to (the agency reconsidering), due_date. Recorded at the agency that answered, which reports count.
    APPEALED = "appealed", _("Appealed by the citizen")
    ANONYMISED = "anonymised", _("Personal data removed")  # closed long ago, or on request; payload:
    # attachments_removed, and erasure_request (id) when the citizen asked for it
    # The citizen's data-protection rights (Law 91/2025), used from the track page, their account or the API.
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent to publication withdrawn")  # the item is taken down
    DATA_EXPORTED = "data_exported", _("Personal data downloaded")  # the citizen downloaded what is held
    ERASURE_REQUESTED = "erasure_requested", _("Deletion of personal data requested")  # payload: request, due_at
    HELD = "held", _("Held for moderation")  # at intake, one of a flood; payload: reason, similar (count)
    RELEASED = "released", _("Released by a moderator")  # the hold ended; the clock starts; payload: held_since


# Events a citizen sees on the track page; the rest are internal.
PUBLIC_EVENT_TYPES = frozenset(
    {
        EventType.SUBMITTED,
        EventType.ROUTED,
        EventType.CLOCK_PAUSED,
        EventType.CLOCK_RESUMED,
        EventType.DEADLINE_RECOMPUTED,
        EventType.STATUS_CHANGED,
        EventType.INFO_REQUESTED,
        EventType.CITIZEN_REPLIED,
        EventType.CITIZEN_WROTE,
        EventType.ANSWERED,
        EventType.TRANSFERRED,
        EventType.EXTENDED,
        EventType.REJECTED,
        EventType.LATE_UPDATE,
        EventType.LINKED,
        EventType.SPLIT,
        EventType.APPEALED,
        EventType.ANONYMISED,
        EventType.CONSENT_WITHDRAWN,
        EventType.DATA_EXPORTED,
        EventType.ERASURE_REQUESTED,
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
        indexes = [
            models.Index(fields=["case", "at"], name="event_case_at_idx"),
            # The statistics refresh reads one day's events (reports/aggregates.py).
            models.Index(fields=["at"], name="event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """An internal note: officials only, never shown to the citizen."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on {self.case_id}"


class Message(models.Model):
    """What the agency asked the citizen, and what the citizen answered (both shown on the track page)."""

    class Direction(models.TextChoices):
        TO_CITIZEN = "to_citizen", _("To the citizen")
        FROM_CITIZEN = "from_citizen", _("From the citizen")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} on {self.case_id}"


class AnswerVersion(models.Model):
    """Every saved draft of the answer; the approved one is what the citizen reads."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answer_versions")
    number = models.PositiveIntegerField()
    body = models.TextField(_("answer"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="unique_answer_version")]

    def __str__(self) -> str:
        return f"answer v{self.number} of {self.case_id}"


class Extension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    # The agency clock it extends, named by its start (the agency's first arrival): another agency's clock is
    # not lengthened, and a transfer back to this agency keeps the extension with its continued clock.
    clock_started_on = models.DateField()
    days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The range case_extend accepts; the database refuses anything else whoever writes it.
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=30), name="extension_days_1_to_30")
        ]

    def __str__(self) -> str:
        return f"+{self.days} days for {self.case_id}"


class Rating(models.Model):
    """The citizen's rating of the answer. Deliberately holds no user: who rated is never shown."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5")]
        # The statistics refresh reads one day's ratings (reports/aggregates.py).
        indexes = [models.Index(fields=["created_at"], name="rating_created_at_idx")]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.case_id}"


class SweepMark(models.Model):
    """What the deadline sweep already did about one deadline of a case ("remind:3", "overdue", "late:2",
    "forward_remind:1", "forward_overdue", "escalate:2"). A deadline is named by its date (`due_on`: the answer's
    due date, or the forwarding date for "forward_*" marks): the unique triple makes running the sweep twice,
    or on two workers at once, do each thing once per deadline, and any path that moves a due date (transfer,
    extension, resuming a paused clock, a calendar change, an appeal) arms every threshold again for the new
    date without having to remember to."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    mark = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "due_on", "mark"], name="unique_sweep_mark")]

    def __str__(self) -> str:
        return f"{self.mark} on {self.case_id}"


class AnswerTemplate(TimeStampedModel):
    """A standard answer an agency reuses; it is offered for the agency's cases and those of agencies below."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("answer"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self) -> str:
        return self.title


class IntakeKey(models.Model):
    """An `Idempotency-Key` a client sent with a submission: a retry with the same key and the same content
    gets the case the first request created instead of a second one (IETF httpapi idempotency-key draft).
    Kept for IDEMPOTENCY_KEY_HOURS, then deleted by a periodic task."""

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)  # sha256 of what was submitted (see services/idempotency.py)
    # Set in the transaction that stores the case; empty only while that transaction is still open.
    case = models.OneToOneField(Case, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key


class ErasureRequest(models.Model):
    """A citizen's request to delete their personal data from a case (Law 91/2025). Staff of the case's
    agency carry it out (the case is anonymised) by `due_at`, ERASURE_DEADLINE_HOURS after the request."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            # Asking twice while the first request waits makes no second request.
            models.UniqueConstraint(
                fields=["case"], condition=Q(done_at__isnull=True), name="one_open_erasure_per_case"
            ),
            models.CheckConstraint(condition=Q(due_at__gt=F("requested_at")), name="erasure_due_after_request"),
        ]
        indexes = [models.Index(fields=["due_at"], name="erasure_open_due_idx", condition=Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return f"erasure of {self.case_id} by {self.due_at:%Y-%m-%d %H:%M}"
