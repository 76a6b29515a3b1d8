"""The scheduled pull of partner feeds: each active partner source with a feed is read every
`pull_every_minutes` by the beat task `pull-partner-feeds` (caunoi.config.celery), through the same import
as the manual command, under the partner's portal as origin (the copies its pushes update)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q

from caunoi.core import clock

from ..models import PartnerSource
from .imports import ImportFailed, published_items_import
from .receiving import source_origin

logger = logging.getLogger(__name__)


def sources_due(now: dt.datetime) -> list[PartnerSource]:
    sources = PartnerSource.objects.filter(is_active=True, pull_every_minutes__gt=0).exclude(feed_url="")
    due = [
        s
        for s in sources.filter(Q(last_pulled_at__isnull=True) | Q(last_pulled_at__lte=now))
        if s.last_pulled_at is None or s.last_pulled_at + dt.timedelta(minutes=s.pull_every_minutes) <= now
    ]
    return due


def partner_source_pull(*, source: PartnerSource) -> str:
    """Imports the source's feed now; records when, and what happened or what went wrong. Returns the
    result line. Never raises for an unreadable feed (it is recorded and tried again next time)."""
    now = clock.now()
    try:
        report = published_items_import(source=source.feed_url, fmt=source.feed_format, origin=source_origin(source))
    except ImportFailed as exc:
        PartnerSource.objects.filter(pk=source.pk).update(last_pulled_at=now, last_pull_error=str(exc.message)[:2000])
        logger.warning("pull of partner source %s failed: %s", source.code, exc.message)
        return f"failed: {exc.message}"
    result = (
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.skipped)} skipped"
    )
    PartnerSource.objects.filter(pk=source.pk).update(last_pulled_at=now, last_pull_result=result, last_pull_error="")
    return result


def partner_sources_pull_due() -> int:
    """Pulls every source whose interval has passed since its last pull; returns how many were pulled."""
    due = sources_due(clock.now())
    for source in due:
        partner_source_pull(source=source)
    return len(due)
