from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Channels that create cases besides the citizen's own form and API: staff-entered intake (letters,
    calls, visits, faxes) and e-mail in and out. They sit above `cases` and call `case_submit`."""

    name = "caunoi.intake"
    label = "intake"
