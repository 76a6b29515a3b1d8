from typing import Any

from django.core.management.base import BaseCommand

from caunoi.cases.services import calendar_sync_from_workflows


class Command(BaseCommand):
    help = "Loads /workflows/calendars into the calendar in force and moves the due dates it affects."

    def handle(self, *args: Any, **options: Any) -> None:
        change = calendar_sync_from_workflows()
        self.stdout.write(
            f"calendar: {change.added} added, {change.updated} updated, {change.removed} removed; "
            f"{change.cases_moved} open cases' due dates moved"
        )
