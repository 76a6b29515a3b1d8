"""The reports' tables: the working-day table, the statistics' aggregates (aggregates.py) and report files
being built (export_jobs.py).

WorkingDay is a table of days with their running count of working days, so SQL can count working days between two
dates with two index lookups (`ordinal(b) - ordinal(a)`) instead of asking the Python calendar per case.

It is derived data: rebuilt from `caunoi.deadlines` (the `holidays` package plus the stored overrides)
whenever its fingerprint no longer matches (see workdays.py). Nothing else writes to it.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .day_bins import BIN_COUNT


class WorkingDay(models.Model):
    day = models.DateField(primary_key=True)
    is_working = models.BooleanField()
    # Working days from the table's first day up to and including `day`: the working days in (a, b] are
    # ordinal(b) - ordinal(a), which is how compute_due counts (receipt day excluded, due day included).
    ordinal = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day} #{self.ordinal}{'' if self.is_working else ' off'}"


class WorkingDayTable(models.Model):
    """One row: what the WorkingDay rows were built from, so a stale table is noticed and rebuilt."""

    fingerprint = models.CharField(max_length=64)
    first_day = models.DateField()
    last_day = models.DateField()
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"working days {self.first_day}–{self.last_day}"


class StatsPeriod(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    # The open cases as the last refresh saw them (backlog_end, overdue_end: open, and open past due "now").
    NOW = "now", "now"


class AgencyPeriodStats(models.Model):
    """The figures of one agency for one local day or one ended month, for one kind and category of case.

    Derived data (see aggregates.py): rebuilt from the timeline, ratings and cases, never edited by hand.
    The league, the dashboard and the exports sum these rows instead of scanning the event table, so a read
    costs the number of (agency, kind, category) groups in the period, not the number of events.
    `agency` is the agency a figure is counted at: the receiving agency for arrivals, the answering one for
    answers, the sending one for transfers out, the case's agency for ratings and month-end backlog.
    """

    period = models.CharField(max_length=8, choices=StatsPeriod.choices)
    first_day = models.DateField()  # the day, or the month's first day
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16)
    category = models.ForeignKey("agencies.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    received = models.PositiveIntegerField(default=0)  # distinct cases arriving (routed or transferred in)
    answered = models.PositiveIntegerField(default=0)
    answered_on_time = models.PositiveIntegerField(default=0)  # by the answering agency's own clock
    answered_transferred = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    transfers_out = models.PositiveIntegerField(default=0)
    appeals = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    # Ratings by score: [count of 1, ..., count of 5].
    rating_counts = ArrayField(models.PositiveIntegerField(), size=5, default=list)
    # Histograms {days: answers}: medians and percentiles of any sum of rows are exact, unlike averages.
    answer_days = models.JSONField(default=dict)
    citizen_days = models.JSONField(default=dict)
    # The same histograms in BIN_COUNT fixed bins (day_bins.py), what the readers sum: a read's cost stays the
    # same as the history grows. Null on the open-cases rows (period `now`), which count no answers.
    answer_bins = ArrayField(models.PositiveIntegerField(), size=BIN_COUNT, null=True)
    citizen_bins = ArrayField(models.PositiveIntegerField(), size=BIN_COUNT, null=True)
    # Month rows only: open cases and open past-due cases at the month's end (the charts' backlog).
    backlog_end = models.PositiveIntegerField(default=0)
    overdue_end = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["period", "first_day", "agency"], name="stats_period_day_agency_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.first_day} agency {self.agency_id} {self.kind}/{self.category_id}"


class StatsProgress(models.Model):
    """One row: the newest event and rating already counted, so a refresh finds the days that changed by
    reading only what is new (a primary-key range), however long the history."""

    event_id = models.BigIntegerField(default=0)
    rating_id = models.BigIntegerField(default=0)
    months_built_to = models.DateField(null=True)  # the newest ended month whose rows are built
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"statistics up to event {self.event_id}, rating {self.rating_id}"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    QUARTERLY = "quarterly", "XLSX (quarterly report)"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_path(job: ExportJob, filename: str) -> str:
    # Under MEDIA_ROOT, which is never served: the download view checks the requester first.
    return f"exports/{job.created_at:%Y/%m}/{job.pk}/{filename}"


class ExportJob(models.Model):
    """A report file (CSV, XLSX, the quarterly XLSX) built by a Celery worker for the person who asked, who
    alone may download it, until `expires_at` (then the file is deleted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # unguessable in URLs
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=16, choices=ExportFormat.choices)
    query = models.JSONField(default=dict)  # the dashboard's filters, as given (period, agency, kind...)
    language = models.CharField(max_length=8)  # the file's headings are written in the requester's language
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to=export_path, max_length=255, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="export_job_expires_idx")]

    def __str__(self) -> str:
        return f"{self.format} export {self.pk} ({self.status}, {self.progress}%)"

    @property
    def query_string(self) -> str:
        """The dashboard's filters this file was asked with, as a URL query (the way back to them)."""
        return urlencode(self.query)
