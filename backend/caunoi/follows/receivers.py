"""Publication's signals → messages to followers (written in the publishing transaction, sent by the outbox)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.cases.signals import case_anonymising, citizen_notified
from caunoi.publication.signals import item_public_changed

from .services import case_followers_notify, case_follows_end, followers_notify


@receiver(item_public_changed, dispatch_uid="follows.item_public_changed")
def _tell_followers(sender: Any, item: Any, change: str, **kwargs: Any) -> None:
    if change in ("published", "corrected"):
        followers_notify(item=item, change=change)


@receiver(citizen_notified, dispatch_uid="follows.citizen_notified")
def _copy_to_case_followers(sender: Any, case: Any, template: str, context: dict[str, Any], **kwargs: Any) -> None:
    case_followers_notify(case=case, template=template, context=context)


@receiver(case_anonymising, dispatch_uid="follows.case_anonymising")
def _forget_case_followers(sender: Any, case: Any, **kwargs: Any) -> None:
    case_follows_end(case=case)  # their addresses are the citizen's personal data too
