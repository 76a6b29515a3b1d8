"""Reacts to what happens to cases: an approved answer with the citizen's consent becomes a publication
candidate. Connected in apps.py; cases knows nothing of publication (it sits on a lower floor)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.cases.signals import case_answered

from .services import item_follow_reconsidered_answer, item_propose


@receiver(case_answered, dispatch_uid="publication-propose-answered-case")
def propose_answered_case(sender: Any, *, case: Any, answer: Any, by: Any = None, **kwargs: Any) -> None:
    # Runs inside case_approve's transaction: the item exists if and only if the approval commits.
    if getattr(case, "stage", 1) >= 2:  # an appeal's decision replaces the answer it reconsidered
        item_follow_reconsidered_answer(case=case, answer=answer, by=by)
    else:
        item_propose(case=case, answer=answer, by=by)
