"""Routing decisions against the database: agency codes and area ancestry resolved here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

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
    within_path: str = "",
) -> RoutingDecision:
    """Chooses the agency for a new case by the routing rules in force (or `rules`).

    A rule naming an agency code that does not exist (or is inactive) is a configuration mistake: the
    case goes to the fallback triage desk instead of being lost, and the explanation says so.

    With `within_path` (the agency subtree of the component site the case was sent from), a case the rules
    would send outside the subtree goes to the first matching rule whose agency lies inside it, else to the
    subtree's root agency; the explanation's `within` part records which, and what the rules chose first.
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
    if within_path and not agency.path.startswith(within_path):
        inside = _route_within(rules, facts, known.agencies, within_path, outside=agency, outside_rule=rule_id)
        if inside is not None:
            agency, rule_id, explanation = inside
    explanation["agency"] = agency.code
    return RoutingDecision(agency, rule_id, match.version, explanation)


def _route_within(
    rules: RoutingRules,
    facts: CaseFacts,
    agencies: dict[str, Agency],
    within_path: str,
    *,
    outside: Agency,
    outside_rule: str,
) -> tuple[Agency, str, dict[str, Any]] | None:
    """The decision inside the subtree at `within_path` (see route_case), or None if the subtree's root is
    unknown or inactive: the case then keeps the agency the rules chose rather than being lost."""
    root = next((a for a in agencies.values() if a.path == within_path), None)
    if root is None:
        logger.error("component site subtree %r has no active root agency; routing ignores it", within_path)
        return None
    local = replace(
        rules,
        rules=tuple(
            rule
            for rule in rules.rules
            if (target := agencies.get(rule.agency)) is not None and target.path.startswith(within_path)
        ),
    )
    match = match_rules(local, facts)
    agency = agencies[match.agency_code] if match.rule_id else root
    # Stored once and read by officials: written in the site's language, like the rules' own descriptions.
    with translation.override(settings.LANGUAGE_CODE):
        note = gettext(
            "Sent from the site of %(root)s: the rules chose %(outside)s, outside that site's agencies, "
            "so the case went to %(agency)s."
        ) % {"root": root.display_name, "outside": outside.display_name, "agency": agency.display_name}
    within = {
        "root": root.code,
        "outside_agency": outside.code,
        "outside_rule": outside_rule or None,
        "outcome": "rule_inside" if match.rule_id else "subtree_root",
    }
    explanation = {
        "rule": match.rule_id or None,
        "description": f"{note} {match.description}" if match.rule_id else note,
        "version": match.version,
        "matched": match.matched,
        # No rule inside the subtree matched: the subtree's root is its triage desk.
        "fallback": not match.rule_id,
        "within": within,
    }
    return agency, match.rule_id, explanation
