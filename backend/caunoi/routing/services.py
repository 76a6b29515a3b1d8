"""Routing decisions against the database: agency codes and area ancestry resolved here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from caunoi.agencies.models import Agency, Area, Category
from caunoi.agencies.reference import reference_data
from caunoi.workflows.registry import workflows
from caunoi.workflows.types import RoutingRules

from .engine import CaseFacts, match_rules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency
    rule_id: str
    version: int
    explanation: dict[str, Any]  # "why here", shown to officials


def route_case(
    *,
    kind: str,
    category: Category,
    area: Area | None,
    text: str,
    channel: str,
    rules: RoutingRules | None = None,
) -> RoutingDecision:
    """Chooses the agency for a new case by the routing rules in force (or `rules`).

    A rule naming an agency code that does not exist (or is inactive) is a configuration mistake: the
    case goes to the fallback triage desk instead of being lost, and the explanation says so.
    """
    rules = rules or workflows().routing
    known = reference_data()
    lineage = known.area_lineage.get(area.pk, frozenset()) if area is not None else frozenset()
    facts = CaseFacts(kind, category.slug, lineage, text, channel)
    match = match_rules(rules, facts)
    explanation: dict[str, Any] = {
        "rule": match.rule_id or None,
        "description": match.description,
        "version": match.version,
        "matched": match.matched,
        "fallback": not match.rule_id,
    }
    agency = known.agencies.get(match.agency_code)
    rule_id = match.rule_id
    if agency is None:
        logger.error("routing rule %r names unknown agency %r; using the fallback", rule_id, match.agency_code)
        explanation.update(fallback=True, misconfigured_agency=match.agency_code)
        agency = known.agencies.get(rules.fallback_agency)
        rule_id = ""
        if agency is None:
            raise Agency.DoesNotExist(f"the routing fallback agency {rules.fallback_agency!r} does not exist")
    explanation["agency"] = agency.code
    return RoutingDecision(agency, rule_id, match.version, explanation)
