"""Routing suggestions from history: training (a Celery beat task) and reading the model in force.

A case teaches where such cases belong once a person has confirmed it: it was answered or rejected by the
agency holding it, or staff transferred it (a correction of the rules' choice; the case's agency now is
where it was sent). Cases still at the triage desk untouched teach nothing. The newest HELD_OUT share is
kept out of training to measure the model (and the rules alone, on the same cases), then the model is fitted
again on everything and stored as a new version.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from caunoi.agencies.models import Agency
from caunoi.agencies.reference import reference_data
from caunoi.cases.models import Case, CaseEvent, EventType
from caunoi.core.transactions import service_transaction
from caunoi.routing.engine import CaseFacts, match_rules
from caunoi.workflows.registry import workflows

from . import routing_learn
from .models import RoutingModel

logger = logging.getLogger(__name__)

HELD_OUT = 0.2
MAX_EXAMPLES = 50_000
MIN_EXAMPLES = 20


def training_cases() -> list[Case]:
    """Confirmed routing decisions, newest last (at most MAX_EXAMPLES)."""
    transferred = CaseEvent.objects.filter(case=OuterRef("pk"), type=EventType.TRANSFERRED)
    confirmed = (
        Case.objects.filter(Q(status__in=["answered", "rejected"]) | Exists(transferred))
        .filter(anonymised_at__isnull=True, split_from__isnull=True)
        .select_related("agency", "category", "area")
        .only("id", "title", "body", "channel", "kind", "agency__code", "category__slug", "area__code", "received_at")
        .order_by("-received_at", "-id")[:MAX_EXAMPLES]
    )
    return list(reversed(confirmed))


def example_of(case: Case) -> routing_learn.Example:
    return routing_learn.Example(
        f"{case.title} {case.body}", case.category.slug, case.area.code if case.area else "", case.agency.code
    )


def rules_choice(case: Case) -> str:
    known = reference_data()
    lineage = known.area_lineage.get(case.area_id, frozenset()) if case.area_id else frozenset()
    facts = CaseFacts(case.kind, case.category.slug, lineage, f"{case.title} {case.body}", case.channel)
    return match_rules(workflows().routing, facts).agency_code


@service_transaction
def _store(**fields: object) -> RoutingModel:
    return RoutingModel.objects.create(**fields)


def routing_model_train() -> RoutingModel | None:
    """Trains, measures and stores a new routing model version; None (and nothing stored) with fewer than
    MIN_EXAMPLES confirmed cases or a single agency among them."""
    cases = training_cases()
    examples = [example_of(c) for c in cases]
    if len(examples) < MIN_EXAMPLES or len({e.agency for e in examples}) < 2:
        logger.info("routing model not trained: %d confirmed cases", len(examples))
        return None
    cut = int(len(examples) * (1 - HELD_OUT))
    top1 = top3 = rules = None
    if len({e.agency for e in examples[:cut]}) >= 2 and cut < len(examples):
        measured = routing_learn.train(examples[:cut])
        top1, top3 = routing_learn.accuracy(measured, examples[cut:])
        rules = sum(rules_choice(c) == c.agency.code for c in cases[cut:]) / (len(cases) - cut)
    pipeline = routing_learn.train(examples)
    model = _store(
        examples=len(examples),
        held_out=len(examples) - cut,
        top1_accuracy=top1,
        top3_accuracy=top3,
        rules_accuracy=rules,
        agencies=sorted({e.agency for e in examples}),
        blob=routing_learn.dumps(pipeline),
    )
    logger.info("routing model v%s trained on %d cases (held-out top-1 %s)", model.pk, len(examples), top1)
    return model


@dataclass(frozen=True)
class Suggestion:
    agency: Agency
    probability: float
    reasons: list[str]
    model_version: int

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


_lock = threading.Lock()
_loaded: tuple[int, object] | None = None


def _model_in_force() -> tuple[int, object] | None:
    """The newest model, loaded once per process per version (a query for the newest id per call)."""
    global _loaded
    newest = RoutingModel.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return None
    with _lock:
        if _loaded is None or _loaded[0] != newest:
            blob = RoutingModel.objects.values_list("blob", flat=True).get(pk=newest)
            _loaded = (newest, routing_learn.loads(bytes(blob)))
        return _loaded


def suggest_for_case(case: Case, *, top: int = 3, title_only: bool = False) -> list[Suggestion]:
    """The agencies the newest model thinks likeliest for `case`, best first; [] without a model.
    `title_only` for lists that do not load the text (the queue)."""
    return suggest_for_text(
        text=case.title if title_only else f"{case.title} {case.body}",
        category=case.category.slug,
        area=case.area.code if case.area else "",
        top=top,
    )


def suggest_for_text(*, text: str, category: str, area: str, top: int = 3) -> list[Suggestion]:
    """The agencies the newest model thinks likeliest for a case with this text, category slug and area
    code, best first; [] without a model."""
    if not settings.ROUTING_SUGGESTIONS_ENABLED:
        return []
    loaded = _model_in_force()
    if loaded is None:
        return []
    version, pipeline = loaded
    guesses = routing_learn.suggest(
        pipeline,  # type: ignore[arg-type]
        text=text,
        category=category,
        area=area,
        top=top,
    )
    agencies = reference_data().agencies
    return [Suggestion(agencies[g.agency], g.probability, g.reasons, version) for g in guesses if g.agency in agencies]
