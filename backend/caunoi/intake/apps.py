from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Channels that create cases besides the citizen's own form and API: staff-entered intake (letters,
    calls, visits, faxes) and e-mail in and out. They sit above `cases` and call `case_submit`."""

    name = "caunoi.intake"
    label = "intake"
    verbose_name = _("Intake channels")  # the admin's "Quản lý …"
