"""Published items: the public, redacted form of answered cases (or items imported from other portals),
their correction history, the redactions applied to them and the log of what happened to them.

The private `source_*` texts are what the redactions apply to (the case's own words, possibly edited by
a moderator); the public `title`, `question`, `answer` are always derived from them by the service that
writes the item, and only those are ever shown or syndicated.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Func, Q, TextField
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Case, Kind

# 8,192 items a search bucket: the newest two hold enough matches of a common query (see search.py).
SEARCH_BUCKET_BITS = 13
SEARCH_BUCKET_MARK = "§"


class VnUnaccent(Func):
    """The project's IMMUTABLE `vn_unaccent()` (core migration 0001): usable in generated columns."""

    function = "vn_unaccent"
    output_field = TextField()


# The stored search vector is written by the trigger `publication_search_vector` (migration 0006), so items
# written by any code path (imports, bulk writes, raw SQL) are searchable. For a row it is:
#   setweight(to_tsvector('simple', T), 'A') || setweight(to_tsvector('simple', vn_unaccent(T)), 'B')
#     || array_to_tsvector(ARRAY['§' || (id >> SEARCH_BUCKET_BITS)])
# where T is title, question and answer with the markers of hidden phrases removed (MARKER_SQL_PATTERN): a
# search for "họ" must not find every item with a hidden name ("[đã ẩn: họ tên]"). Accented words weigh A,
# their unaccented forms B, so a query typed either way matches, exact first. The bucket lexeme ("§" and the
# id in runs of 2**SEARCH_BUCKET_BITS) is one no typed query can produce (the parser drops "§"): search.py
# ANDs it in to look at the newest items first; consecutive ids sit together in every word's posting list,
# so GIN then skips the rest of each. A trigger, not a generated column: changing a generated column's
# expression rewrites the table under an exclusive lock (see tests/support/migration_safety.py).


class Status(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    DECLINED = "declined", _("Not to be published")


class PublishedItem(models.Model):
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="published_item")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Public texts (redacted). Only these leave the review page.
    title = models.CharField(_("title"), max_length=255)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    asker_display = models.CharField(_("asked by"), max_length=120, blank=True)
    # Private texts the redactions apply to; never serialised. Empty for imported items.
    source_title = models.CharField(max_length=255, blank=True)
    source_question = models.TextField(blank=True)
    source_answer = models.TextField(blank=True)

    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    due_at = models.DateTimeField(_("legal deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)

    # Provenance of imported items; blank origin_portal = published by this portal.
    origin_portal = models.CharField(_("origin portal"), max_length=255, blank=True)
    origin_id = models.CharField(_("origin id"), max_length=255, blank=True)
    origin_url = models.URLField(_("origin address"), max_length=500, blank=True)
    origin_agency_name = models.CharField(_("origin agency"), max_length=255, blank=True)
    # What the item was made from when it is not a case: "dialogue:<id>:question:<id>" (a transcript entry).
    source_ref = models.CharField(max_length=80, blank=True)

    # Kept by PostgreSQL itself (the trigger above), so items written by any code path are searchable; NULL
    # only between the column's creation and its backfill (migration 0006).
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("published item")
        verbose_name_plural = _("published items")
        constraints = [
            models.UniqueConstraint(
                fields=["origin_portal", "origin_id"],
                condition=~Q(origin_portal=""),
                name="unique_imported_item",
            ),
            models.UniqueConstraint(fields=["source_ref"], condition=~Q(source_ref=""), name="unique_item_source"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="published_search_idx"),
            # "Has this been asked already?": the titles nearest a text, by trigram distance on unaccented
            # titles. GiST, not GIN: only GiST answers ORDER BY distance LIMIT n from the index.
            GistIndex(
                OpClass(VnUnaccent("title"), name="gist_trgm_ops"),
                name="published_title_trgm_gist",
            ),
            models.Index(fields=["-published_at"], name="published_latest_idx", condition=Q(status="published")),
            models.Index(fields=["agency", "-published_at"], name="published_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def dialogue_id(self) -> int | None:
        """The online dialogue this item's question was answered in, when it came from a transcript."""
        kind, _sep, rest = self.source_ref.partition(":")
        return int(rest.split(":")[0]) if kind == "dialogue" and rest.split(":")[0].isdigit() else None

    @property
    def is_imported(self) -> bool:
        return bool(self.origin_portal)

    @property
    def answered_on_time(self) -> bool | None:
        """Whether the answer came by the legal deadline; None when either date is unknown."""
        if self.answered_at is None or self.due_at is None:
            return None
        return self.answered_at <= self.due_at


class PublishedItemRevision(models.Model):
    """A previous public text of an item, kept when it is corrected (number 1 = first published text)."""

    item = models.ForeignKey(PublishedItem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    question = models.TextField()
    answer = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="unique_item_revision")]

    def __str__(self) -> str:
        return f"r{self.number} of {self.item_id}"


class RedactionKind(models.TextChoices):
    PHONE = "phone", _("phone number")
    EMAIL = "email", _("email address")
    ID_NUMBER = "id_number", _("ID number")
    NAME = "name", _("personal name")
    ADDRESS = "address", _("address")
    DATE_OF_BIRTH = "birth_date", _("date of birth")
    TAX_CODE = "tax_code", _("tax code")
    BANK_ACCOUNT = "bank_account", _("bank account number")
    PLATE = "plate", _("vehicle plate")
    PASSPORT = "passport", _("passport number")
    OTHER = "other", _("personal information")


class Redaction(models.Model):
    """A phrase hidden from the public texts (case- and diacritics-insensitive): wherever it appears, or, when
    `field` and `occurrence` are set, only its n-th occurrence in that text ("đất" in "tên là Đất", not in
    "Luật Đất đai").

    Proposed ones come from the detector; a reviewer can switch them off or add phrases of their own."""

    class Origin(models.TextChoices):
        DETECTED = "detected", _("Detected")
        MANUAL = "manual", _("Added by a reviewer")

    item = models.ForeignKey(PublishedItem, on_delete=models.CASCADE, related_name="redactions")
    kind = models.CharField(max_length=16, choices=RedactionKind.choices)
    text = models.CharField(max_length=500)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    # Blank field = every text; occurrence None = every occurrence (counted from 1 within `field`).
    field = models.CharField(
        max_length=16,
        blank=True,
        default="",
        choices=[("title", _("title")), ("question", _("question")), ("answer", _("answer"))],
    )
    occurrence = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurrence__isnull=True) | (Q(occurrence__gte=1) & ~Q(field="")),
                name="redaction_occurrence_needs_field",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.item_id}"


class PublicationEventType(models.TextChoices):
    """The closed list of things that happen to a published item."""

    PROPOSED = "proposed", _("Proposed for publication")  # from an answered case; payload: redactions
    EDITED = "edited", _("Edited before publication")  # payload: fields
    REDACTION_ADDED = "redaction_added", _("Redaction added")  # payload: kind (never the hidden text)
    REDACTION_REMOVED = "redaction_removed", _("Redaction removed")  # payload: redaction id
    PUBLISHED = "published", _("Published")  # payload: automatic (bool)
    CORRECTED = "corrected", _("Corrected")  # payload: revision, reason
    UNPUBLISHED = "unpublished", _("Unpublished")  # payload: reason
    DECLINED = "declined", _("Declined: not to be published")  # payload: reason (staff only)
    # The public text replaced for privacy: no public note, no revision kept; payload: reason, fields (staff only)
    CORRECTED_PRIVATELY = "corrected_privately", _("Corrected for privacy")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")  # the citizen withdrew it; taken off at once
    ANONYMISED = "anonymised", _("Personal data removed")  # retention over: redactions baked in and deleted


class PublicationEvent(models.Model):
    """Append-only log, written in the same transaction as the change it records."""

    item = models.ForeignKey(PublishedItem, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=PublicationEventType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.type} on {self.item_id}"


class SearchWord(models.Model):
    """The vocabulary of published titles, for "did you mean" (pg_trgm) when a search finds nothing."""

    word = models.CharField(max_length=80, unique=True)
    folded = models.CharField(max_length=80)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [GinIndex(OpClass("folded", name="gin_trgm_ops"), name="search_word_trgm_idx")]

    def __str__(self) -> str:
        return self.word
