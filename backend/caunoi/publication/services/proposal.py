"""An answered case whose citizen consented, or a question answered on air in an online dialogue, becomes a
publication candidate with redactions proposed."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import AnswerVersion, Case
from caunoi.core import redaction
from caunoi.core.text import vn_fold
from caunoi.workflows.registry import workflows

from ..models import PublicationEventType, PublishedItem, Redaction, Status
from .common import record, refresh_public_texts
from .review import item_correct, item_edit, item_publish


def make_slug(title: str) -> str:
    """A readable, unguessable-enough address: the unaccented title plus a random suffix."""
    base = slugify(vn_fold(title))[:80].strip("-") or "hoi-dap"
    return f"{base}-{secrets.token_hex(3)}"


def is_publication_candidate(case: Case) -> bool:
    """Consented, and neither a linked duplicate (its primary is published) nor a part of a split case
    (the whole, with its combined answer, is)."""
    return case.consent_to_publish and case.duplicate_of_id is None and case.split_from_id is None


def auto_publish_allowed(kind: str, agency: Agency | None) -> bool:
    policy = workflows().publication_policy
    codes: list[str] = []
    if agency is not None:
        by_id = dict(Agency.objects.filter(id__in=agency.ancestor_ids()).values_list("id", "code"))
        codes = [by_id[i] for i in reversed(agency.ancestor_ids()) if i in by_id]
    return policy.allows_auto_publish(kind, codes)


@transaction.atomic
def item_propose(*, case: Case, answer: AnswerVersion, by: User | None) -> PublishedItem | None:
    """Creates the pending item for an answered case, with the personal data it finds proposed for hiding.

    Returns None (and does nothing) if the case is not a candidate or already has an item. Publishes at
    once, as `by`, if the publication policy allows automatic publication for the case's kind and agency."""
    if not is_publication_candidate(case) or PublishedItem.objects.filter(case=case).exists():
        return None
    item = PublishedItem(
        case=case,
        kind=case.kind,
        agency_id=case.agency_id,
        category_id=case.category_id,
        asker_display=case.contact_name if case.show_name_publicly else "",
        received_at=case.received_at,
        answered_at=answer.approved_at or case.closed_at,
        due_at=case.due_at,
    )
    _propose(
        item,
        texts=(case.title, case.body, answer.body),
        names=[] if case.show_name_publicly else [case.contact_name],
        public_names=[case.contact_name] if case.show_name_publicly else [],
        addresses=[case.contact_address] if case.contact_address else [],
        contacts=[c for c in (case.contact_phone, case.contact_email) if c],
        event={"case": case.tracking_code},
    )
    if auto_publish_allowed(case.kind, case.agency):
        item_publish(item=item, by=by, automatic=True)
    return item


@transaction.atomic
def item_propose_from_dialogue(
    *,
    source_ref: str,
    title: str,
    question: str,
    answer: str,
    asker_display: str,
    agency: Agency,
    category: Category | None,
    asked_at: dt.datetime,
    answered_at: dt.datetime,
    names: Sequence[str] = (),
    contacts: Sequence[str] = (),
) -> PublishedItem | None:
    """A question answered on air in an online dialogue becomes a pending item (always reviewed: a live answer
    was never approved in writing), personal data proposed for hiding as for a case. `source_ref` names the
    question ("dialogue:<id>:question:<id>"); returns None if an item for it exists already. `names` and
    `contacts` are the asker's, hidden where the texts repeat them."""
    if PublishedItem.objects.filter(source_ref=source_ref).exists():
        return None
    item = PublishedItem(
        source_ref=source_ref,
        kind="question",
        agency=agency,
        category=category,
        asker_display=asker_display,
        received_at=asked_at,
        answered_at=answered_at,
    )
    _propose(
        item,
        texts=(title, question, answer),
        names=[n for n in names if n],
        addresses=[],
        contacts=[c for c in contacts if c],
        public_names=[asker_display] if asker_display else [],
        event={"source": source_ref},
    )
    return item


def _propose(
    item: PublishedItem,
    *,
    texts: tuple[str, str, str],
    names: list[str],
    addresses: list[str],
    contacts: list[str],
    event: dict[str, str],
    public_names: list[str] | None = None,
) -> None:
    """Saves `item` as pending review with title, question and answer from `texts`, the personal data found
    in them proposed for hiding, and the public texts derived."""
    item.slug = make_slug(texts[0])
    item.source_title, item.source_question, item.source_answer = texts
    item.status = Status.PENDING_REVIEW
    item.save()
    found: dict[tuple[str, str], None] = {}
    for text in texts:
        found_here = redaction.detect(
            text, names=names, addresses=addresses, contacts=contacts, public_names=public_names or []
        )
        for finding in found_here:
            found.setdefault((finding.kind, finding.text), None)
    Redaction.objects.bulk_create(
        [Redaction(item=item, kind=kind, text=text[:500], origin=Redaction.Origin.DETECTED) for kind, text in found]
    )
    refresh_public_texts(item)
    item.save(update_fields=["title", "question", "answer", "updated_at"])
    record(item, PublicationEventType.PROPOSED, by=None, redactions=len(found), **event)


@transaction.atomic
def item_follow_reconsidered_answer(*, case: Case, answer: AnswerVersion, by: User | None) -> PublishedItem | None:
    """The case's answer was reconsidered on appeal (its second stage): the public item, if any, carries the
    decision, never the answer it replaced. Personal data found in the decision is hidden as at proposal
    (detected redactions added); then a pending item's answer is edited, a published one corrected (the
    earlier text stays in its revision history, with the reason), an unpublished one changed for when it is
    published again. Without an item yet, the decision is proposed like any answer."""
    item = PublishedItem.objects.select_for_update(of=("self",)).filter(case=case).first()
    if item is None:
        return item_propose(case=case, answer=answer, by=by)
    _hide_personal_data(item, case, answer.body)
    if item.status == Status.PUBLISHED and by is not None:
        with translation.override("vi"):
            reason = str(_("The answer was reconsidered at the asker's request; this is the decision."))
        item_correct(
            item=item, title=item.source_title, question=item.source_question, answer=answer.body, reason=reason, by=by
        )
    elif item.status == Status.PENDING_REVIEW and by is not None:
        item_edit(item=item, title=item.source_title, question=item.source_question, answer=answer.body, by=by)
    else:
        item.source_answer = answer.body.strip()
        refresh_public_texts(item)
        item.save(update_fields=["source_answer", "title", "question", "answer", "updated_at"])
    return item


def _hide_personal_data(item: PublishedItem, case: Case, text: str) -> None:
    known = set(item.redactions.values_list("kind", "text"))
    found = redaction.detect(
        text,
        names=[] if case.show_name_publicly else [case.contact_name],
        addresses=[case.contact_address] if case.contact_address else [],
        contacts=[c for c in (case.contact_phone, case.contact_email) if c],
    )
    new = {(f.kind, f.text[:500]): None for f in found if (f.kind, f.text[:500]) not in known}
    Redaction.objects.bulk_create(
        [Redaction(item=item, kind=kind, text=text, origin=Redaction.Origin.DETECTED) for kind, text in new]
    )
