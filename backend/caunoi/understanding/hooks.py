"""What this app offers the apps below it, through core.hooks (registered in apps.ready)."""

from __future__ import annotations

from typing import Any

from caunoi.accounts.models import User
from caunoi.cases.access import cases_for_staff
from caunoi.cases.models import Case
from caunoi.core import hooks

from .answers import reusable_answers
from .routing_training import suggest_for_case
from .similar import similar_to_case, similar_to_text


def case_page_context(*, case: Case, actions: Any, user: User) -> dict[str, Any]:
    """Similar open cases (among those `user` may see) and answers, the learned routing suggestion and, while
    drafting, answers to reuse. A similar case can be linked in one click when the user may link this one."""
    context: dict[str, Any] = {"similar": [], "routing_suggestions": [], "reusable_answers": []}
    if case.closed_at is None and case.duplicate_of_id is None:
        context["similar"] = similar_to_case(case, case_scope=cases_for_staff(user))
        context["routing_suggestions"] = [s for s in suggest_for_case(case) if s.probability >= 0.05]
    if "draft" in actions:
        context["reusable_answers"] = reusable_answers(case)
    return context


def queue_suggestions(*, cases: list[Case]) -> dict[int, Any]:
    """The top learned agency for each case on a queue page (the triage desk decides where they go)."""
    out = {}
    for case in cases:
        suggestions = suggest_for_case(case, top=1, title_only=True)
        if suggestions and suggestions[0].agency.pk != case.agency_id:
            out[case.pk] = suggestions[0]
    return out


def semantic_item_ranks(*, q: str, within_path: str = "", limit: int = 50) -> list[int]:
    from .search import semantic_ranks

    return semantic_ranks(q, within_path=within_path, limit=limit)


def similar_published(*, text: str, within_path: str = "", limit: int = 5) -> list[Any]:
    return similar_to_text(text, include_cases=False, within_path=within_path, limit=limit)


def learned_route(*, text: str, category: Any, area: Any, min_confidence: float) -> tuple[Any, dict[str, Any]] | None:
    """The agency the newest routing model is at least `min_confidence` sure of, with the "why here"."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    from .routing_training import suggest_for_text

    suggestions = suggest_for_text(text=text, category=category.slug, area=area.code if area else "", top=1)
    if not suggestions or suggestions[0].probability < min_confidence:
        return None
    top = suggestions[0]
    with translation.override(settings.LANGUAGE_CODE):  # stored once, read by officials
        description = gettext(
            "Routed by the model learned from past cases (version %(version)s), %(percent)s%% sure."
        ) % {
            "version": top.model_version,
            "percent": top.percent,
        }
    explanation = {
        "rule": None,
        "description": description,
        "fallback": False,
        "learned": {"model_version": top.model_version, "confidence": round(top.probability, 3), "words": top.reasons},
        "agency": top.agency.code,
    }
    return top.agency, explanation


def register() -> None:
    hooks.case_page_context.register(case_page_context)
    hooks.queue_suggestions.register(queue_suggestions)
    hooks.semantic_item_ranks.register(semantic_item_ranks)
    hooks.similar_published.register(similar_published)
    hooks.learned_route.register(learned_route)
