"""`manage.py rebuild_statistics`: the aggregates of the whole history, from the timeline (first deployment,
or after a change of the figures' definitions). The periodic refresh keeps them current afterwards."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from caunoi.reports.aggregates import stats_rebuild_all


class Command(BaseCommand):
    help = "Rebuilds the statistics aggregates (AgencyPeriodStats) of the whole history from the case timeline."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        stats_rebuild_all()
        self.stdout.write(f"statistics rebuilt in {time.monotonic() - started:.1f} s")
