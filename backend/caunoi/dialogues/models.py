"""Live online dialogues (đối thoại trực tuyến): the event, the questions sent to it, votes, live answers, and
every message broadcast in its room, numbered per dialogue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency, Area, Category
from caunoi.core.models import TimeStampedModel


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open_for_questions", _("Open for questions")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    PUBLISHED = "published", _("Transcript published")


# Each state and the one that may follow it: a dialogue only moves forward.
NEXT_STATE = {
    State.SCHEDULED: State.OPEN,
    State.OPEN: State.LIVE,
    State.LIVE: State.ENDED,
    State.ENDED: State.PUBLISHED,
}
# Questions are accepted from "open for questions" until the end.
ASKING_STATES = frozenset({State.OPEN, State.LIVE})


class Dialogue(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="dialogues")
    # Questions not answered on air become cases in this category (the portal's "other" when unset).
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT)
    # Where the dialogue is about: its unanswered questions become cases of this area (routed within the agency).
    # No index: the table is small and never searched by area.
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("hosts"), related_name="hosted_dialogues")
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("moderators"), blank=True, related_name="moderated_dialogues"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    stream_url = models.URLField(_("video stream link"), blank=True)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.SCHEDULED)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="scheduled_dialogues"
    )
    # The question being answered now (set by a host's "pick").
    now_answering = models.ForeignKey(
        "DialogueQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last sequence number given to a message of this dialogue. Incremented with UPDATE … RETURNING in the
    # transaction that stores the message: the row lock orders concurrent broadcasts and numbers stay dense.
    last_seq = models.BigIntegerField(default=0)
    # Audience figures for reports, written by the room hub: the most viewers at once (over every process) and
    # how many different people watched (a Redis HyperLogLog's estimate, copied here as it grows).
    viewers_peak = models.IntegerField(default=0, db_default=0)
    viewers_total = models.IntegerField(default=0, db_default=0)
    # Set when the askers' personal data was removed, ANONYMISE_AFTER_MONTHS after the dialogue ended.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="dlg_ends_after")
        ]

    def __str__(self) -> str:
        return self.title


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged with a similar question")
    ANSWERED = "answered", _("Answered")


# What everyone in the room may see; pending and rejected questions are for moderators and hosts only.
PUBLIC_STATUSES = frozenset({QuestionStatus.APPROVED, QuestionStatus.ANSWERED})


class DialogueQuestion(TimeStampedModel):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="questions")
    asker_name = models.CharField(_("name or display name"), max_length=120)
    # The asker's name is shown only if they chose so; otherwise a neutral label (as case askers are hidden).
    show_name = models.BooleanField(_("show my name with my question"), default=False)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.PENDING
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    # Order chosen by moderators among approved questions (lower first); ties by votes, then arrival.
    position = models.IntegerField(default=0)
    vote_count = models.IntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Restricted words found in the question when it was asked (RestrictedWords): the moderation desk holds it
    # apart for review and shows why. Empty for most questions.
    held_words = models.CharField(max_length=400, blank=True, default="", db_default="")
    # The case opened for it after the dialogue when it was approved but not answered on air.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "-vote_count", "id"]
        verbose_name = _("dialogue question")
        verbose_name_plural = _("dialogue questions")
        indexes = [models.Index(fields=["dialogue", "status"], name="dlg_question_status_idx")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def public_asker(self) -> str:
        """The asker's name where they chose to show it, else "" (the room shows `asker_label`)."""
        return self.asker_name if self.show_name else ""

    @property
    def asker_label(self) -> str:
        """Who asked, as the public sees it, in the active language: the name if the asker chose to show it,
        else a neutral label numbered by the question ("Người hỏi 12" / "Participant 12")."""
        return self.public_asker or participant_label(self.pk)


def participant_label(number: int) -> str:
    return str(_("Participant %(number)s") % {"number": number})


class Vote(models.Model):
    """One vote per person per question: `voter` is "u:<user id>" or "a:<anonymous browser id>"."""

    question = models.ForeignKey(DialogueQuestion, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "voter"], name="dlg_one_vote_per_person")]

    def __str__(self) -> str:
        return f"{self.voter} → {self.question_id}"


class LiveAnswer(TimeStampedModel):
    question = models.ForeignKey(DialogueQuestion, on_delete=models.CASCADE, related_name="answers")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("answer"))

    class Meta:
        ordering = ["created_at", "id"]


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    STAFF = "staff", _("Moderators and hosts")


class DialogueMessage(models.Model):
    """Every broadcast of a room, stored before it is sent: a client resuming with `since=N` is sent the rows
    after N from here. `frame` is the exact JSON text sent to clients (serialised once)."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="messages")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=32)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.PUBLIC)
    payload = models.JSONField()
    frame = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dialogue", "seq"]
        verbose_name = _("dialogue message")
        verbose_name_plural = _("dialogue messages")
        constraints = [models.UniqueConstraint(fields=["dialogue", "seq"], name="dlg_message_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dialogue_id}#{self.seq} {self.type}"


class RestrictedWords(TimeStampedModel):
    """Words that hold a question for review on the moderation desk: for one dialogue, or for every dialogue of
    an agency (and the agencies below it). Matched without regard to case or diacritics, as whole words."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dialogue = models.ForeignKey(Dialogue, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    words = models.TextField(_("restricted words"), help_text=_("One word or phrase per line."))

    class Meta:
        verbose_name = _("restricted words")
        verbose_name_plural = _("restricted words")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(dialogue__isnull=False), name="dlg_words_scope"
            )
        ]

    def __str__(self) -> str:
        return str(self.dialogue or self.agency)
