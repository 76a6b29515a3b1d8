"""Every rule shape of the routing engine, on hand-made rules (no database)."""

import pytest
from caunoi.routing.engine import CaseFacts, match_rules
from caunoi.workflows.types import RoutingRule, RoutingRules

HANOI = frozenset({"vn", "tinh-01"})
HOANKIEM = frozenset({"vn", "tinh-01", "xa-00070"})
QUANGTRI = frozenset({"vn", "tinh-44"})


def rules(*items: RoutingRule) -> RoutingRules:
    return RoutingRules(version=7, fallback_agency="TRIAGE", fallback_description="triage desk", rules=items)


def facts(kind="question", category="khac", areas=frozenset(), text="", channel="web") -> CaseFacts:
    return CaseFacts(kind=kind, category=category, area_codes=areas, text=text, channel=channel)


@pytest.mark.parametrize(
    ("rule", "matching", "not_matching"),
    [
        (RoutingRule("k", "", "A", kinds=frozenset({"petition"})), facts(kind="petition"), facts(kind="question")),
        (
            RoutingRule("c", "", "A", categories=frozenset({"dat-dai"})),
            facts(category="dat-dai"),
            facts(category="y-te"),
        ),
        (RoutingRule("a", "", "A", areas=frozenset({"tinh-01"})), facts(areas=HANOI), facts(areas=QUANGTRI)),
        (RoutingRule("ch", "", "A", channels=frozenset({"dialogue"})), facts(channel="dialogue"), facts(channel="web")),
        (RoutingRule("kw", "", "A", keywords=("rac thai",)), facts(text="Rác thải ở ngõ"), facts(text="Rác ở ngõ")),
    ],
    ids=["kind", "category", "area", "channel", "keywords"],
)
def test_each_condition_matches_and_refuses(rule, matching, not_matching):
    assert match_rules(rules(rule), matching).agency_code == "A"
    assert match_rules(rules(rule), not_matching).agency_code == "TRIAGE"


def test_a_rule_for_an_area_matches_the_areas_below_it():
    rule = RoutingRule("hn", "", "A", areas=frozenset({"tinh-01"}))
    match = match_rules(rules(rule), facts(areas=HOANKIEM))
    assert match.agency_code == "A"
    assert match.matched == {"area": ["tinh-01"]}


def test_keywords_ignore_diacritics_and_case_in_both_directions():
    accented_rule = RoutingRule("kw", "", "A", keywords=("hoc phi",))  # keywords are folded by the loader
    assert match_rules(rules(accented_rule), facts(text="HỌC PHÍ tăng quá cao")).agency_code == "A"
    assert match_rules(rules(accented_rule), facts(text="hoc phi tang qua cao")).agency_code == "A"


def test_keywords_match_whole_words_only():
    rule = RoutingRule("kw", "", "A", keywords=("thu phi",))
    assert match_rules(rules(rule), facts(text="Thu phiếu điều tra")).agency_code == "TRIAGE"
    assert match_rules(rules(rule), facts(text="Việc thu phí, lệ phí")).agency_code == "A"


def test_all_conditions_of_a_rule_must_hold():
    rule = RoutingRule("both", "", "A", categories=frozenset({"dat-dai"}), areas=frozenset({"tinh-01"}))
    assert match_rules(rules(rule), facts(category="dat-dai", areas=HANOI)).agency_code == "A"
    assert match_rules(rules(rule), facts(category="dat-dai", areas=QUANGTRI)).agency_code == "TRIAGE"
    assert match_rules(rules(rule), facts(category="y-te", areas=HANOI)).agency_code == "TRIAGE"


def test_any_listed_value_satisfies_a_condition():
    rule = RoutingRule("k", "", "A", kinds=frozenset({"feedback", "petition"}))
    assert match_rules(rules(rule), facts(kind="feedback")).agency_code == "A"
    assert match_rules(rules(rule), facts(kind="petition")).agency_code == "A"


def test_the_first_matching_rule_wins_and_is_recorded():
    first = RoutingRule("ward", "ward office", "WARD", areas=frozenset({"xa-00070"}))
    second = RoutingRule("city", "city office", "CITY", areas=frozenset({"tinh-01"}))
    match = match_rules(rules(first, second), facts(areas=HOANKIEM))
    assert (match.agency_code, match.rule_id, match.description, match.version) == ("WARD", "ward", "ward office", 7)
    assert match_rules(rules(first, second), facts(areas=HANOI)).rule_id == "city"


def test_no_matching_rule_goes_to_the_fallback_with_no_rule_id():
    match = match_rules(rules(RoutingRule("k", "", "A", kinds=frozenset({"petition"}))), facts())
    assert (match.agency_code, match.rule_id, match.description) == ("TRIAGE", "", "triage desk")
