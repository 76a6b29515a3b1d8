"""Pure rule matching: which agency code a case goes to, and why. No database here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from caunoi.core.text import vn_fold
from caunoi.workflows.types import RoutingRule, RoutingRules


@dataclass(frozen=True)
class CaseFacts:
    kind: str
    category: str  # category slug
    area_codes: frozenset[str]  # the case's area and all its ancestors
    text: str  # title and body
    channel: str


@dataclass(frozen=True)
class Match:
    agency_code: str
    rule_id: str  # "" for the fallback
    description: str
    version: int
    matched: dict[str, list[str]] = field(default_factory=dict)  # condition → the values that matched


@lru_cache(maxsize=512)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # Whole words only: "thu phi" must not match "thu phieu".
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)")


def _matches(rule: RoutingRule, facts: CaseFacts, folded_text: str) -> dict[str, list[str]] | None:
    matched: dict[str, list[str]] = {}
    if rule.kinds:
        if facts.kind not in rule.kinds:
            return None
        matched["kind"] = [facts.kind]
    if rule.categories:
        if facts.category not in rule.categories:
            return None
        matched["category"] = [facts.category]
    if rule.areas:
        areas = sorted(rule.areas & facts.area_codes)
        if not areas:
            return None
        matched["area"] = areas
    if rule.channels:
        if facts.channel not in rule.channels:
            return None
        matched["channel"] = [facts.channel]
    if rule.keywords:
        keywords = [k for k in rule.keywords if _keyword_pattern(k).search(folded_text)]
        if not keywords:
            return None
        matched["keywords"] = keywords
    return matched


def match_rules(rules: RoutingRules, facts: CaseFacts) -> Match:
    """The first rule whose every condition holds, else the fallback agency."""
    folded_text = vn_fold(facts.text)
    for rule in rules.rules:
        matched = _matches(rule, facts, folded_text)
        if matched is not None:
            return Match(rule.agency, rule.id, rule.description, rules.version, matched)
    return Match(rules.fallback_agency, "", rules.fallback_description, rules.version)
