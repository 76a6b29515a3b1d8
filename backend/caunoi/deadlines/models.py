"""Calendar overrides in force: the compensatory days off and make-up working days that the holidays
package does not know. Filled from /workflows/calendars by `manage.py sync_calendar`, and by admins."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    class Source(models.TextChoices):
        WORKFLOWS = "workflows", _("Workflow files")
        ADMIN = "admin", _("Administrator")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason_vi = models.CharField(_("reason (Vietnamese)"), max_length=255)
    reason_en = models.CharField(_("reason (English)"), max_length=255)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
