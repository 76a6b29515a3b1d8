"""Reacts to what happens to cases. Connected in apps.py; cases knows nothing of dialogues (a lower floor)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.cases.signals import case_anonymising

from .services.privacy import question_anonymise_for_case


@receiver(case_anonymising, dispatch_uid="dialogues-anonymise-question-of-case")
def anonymise_question_of_case(sender: Any, *, case: Any, known: Any, **kwargs: Any) -> None:
    question_anonymise_for_case(case_id=case.pk, known=known)
