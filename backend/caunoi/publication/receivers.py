"""Reacts to what happens to cases: an approved answer with the citizen's consent becomes a publication
candidate. Connected in apps.py; cases knows nothing of publication (it sits on a lower floor)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from caunoi.agencies.models import Agency, Area, Category
from caunoi.cases.signals import case_anonymising, case_answered, case_consent_withdrawn
from caunoi.core.page_cache import purge_public_pages
from caunoi.portals.models import Portal

from .models import PublishedItem
from .services import item_follow_reconsidered_answer, item_propose
from .services.privacy import item_anonymise, item_withdraw_consent


@receiver(case_answered, dispatch_uid="publication-propose-answered-case")
def propose_answered_case(sender: Any, *, case: Any, answer: Any, by: Any = None, **kwargs: Any) -> None:
    # Runs inside case_approve's transaction: the item exists if and only if the approval commits.
    if getattr(case, "stage", 1) >= 2:  # an appeal's decision replaces the answer it reconsidered
        item_follow_reconsidered_answer(case=case, answer=answer, by=by)
    else:
        item_propose(case=case, answer=answer, by=by)


@receiver(case_anonymising, dispatch_uid="publication-anonymise-case-items")
def anonymise_case_items(sender: Any, *, case: Any, known: Any, **kwargs: Any) -> None:
    # Inside the case's anonymisation transaction: the item loses the person if and only if the case does.
    for item in PublishedItem.objects.filter(case=case):
        item_anonymise(item=item, known=known)


@receiver(case_consent_withdrawn, dispatch_uid="publication-consent-withdrawn")
def take_down_on_withdrawal(sender: Any, *, case: Any, by: Any = None, **kwargs: Any) -> None:
    # Inside the withdrawal's transaction: the item is off the portal when the withdrawal commits.
    for item in PublishedItem.objects.filter(case=case):
        item_withdraw_consent(item=item, by=by)


@receiver(post_save, sender=Agency, dispatch_uid="publication-purge-agency-saved")
@receiver(post_delete, sender=Agency, dispatch_uid="publication-purge-agency-deleted")
@receiver(post_save, sender=Category, dispatch_uid="publication-purge-category-saved")
@receiver(post_delete, sender=Category, dispatch_uid="publication-purge-category-deleted")
@receiver(post_save, sender=Area, dispatch_uid="publication-purge-area-saved")
@receiver(post_save, sender=Portal, dispatch_uid="publication-purge-portal-saved")
@receiver(post_delete, sender=Portal, dispatch_uid="publication-purge-portal-deleted")
def purge_pages_naming_it(sender: Any, **kwargs: Any) -> None:
    # Public pages name agencies, categories, areas and the portal: a rename must not wait for the TTL.
    purge_public_pages()
