from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "caunoi.dialogues"
    label = "dialogues"
    verbose_name = _("Online dialogues")  # the admin's "Quản lý …"

    def ready(self) -> None:
        from caunoi.reports.hooks import register_dialogue_figures, register_dialogue_participation

        from . import figures, receivers  # noqa: F401  (receivers connects to cases' anonymisation signal)

        # The reports sit on this app's floor and cannot import it: they read dialogue figures through hooks.
        register_dialogue_participation(figures.dialogue_participation)
        register_dialogue_figures(figures.dialogue_figures, figures.figures_by_agency)
