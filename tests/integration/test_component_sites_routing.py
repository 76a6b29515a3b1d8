"""A case sent from a component site is routed inside the site's agency subtree first: the first matching
rule whose agency lies inside it, else the subtree's root agency; "why here" says so. The web form and the
API behave alike; the parent portal routes as before."""

from __future__ import annotations

import pytest
from caunoi.agencies.models import Agency
from caunoi.routing.services import route_case
from django.test import Client

from tests.support.component_sites import HANOI, MINISTRY, PARENT, make_sites, submission, submit_by_api, submit_by_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(settings, reference_data):
    return make_sites(settings, reference_data)


@pytest.mark.parametrize("submit", [submit_by_api, submit_by_form], ids=["api", "form"])
def test_a_case_the_rules_send_outside_goes_to_the_subtree_root(api, sites, reference_data, submit):
    # Education goes to the ministry by the rules; sent from Hà Nội's site, it stays with Hà Nội.
    data = submission(reference_data, category="giao-duc", area="tinh-01", title="Hỏi về trường tiểu học")
    case = submit(api, HANOI, data)
    assert case.agency.code == "UBND-HN"
    why = case.routing_explanation
    assert why["within"] == {
        "root": "UBND-HN",
        "outside_agency": "BO-GDDT",
        "outside_rule": "education",
        "outcome": "subtree_root",
    }
    assert why["agency"] == "UBND-HN" and why["rule"] is None
    assert "Bộ Giáo dục và Đào tạo" in why["description"] and "Hà Nội" in why["description"]
    assert case.events.get(type="routed").payload["within"]["outcome"] == "subtree_root"


def test_why_here_says_the_case_came_from_a_component_site(api, sites, reference_data, personas, settings):
    settings.LANGUAGE_CODE = "en"
    data = submission(reference_data, category="giao-duc", area="tinh-01", title="Hỏi về trường tiểu học")
    case = submit_by_api(api, HANOI, data)
    leader = Client()
    leader.force_login(personas["leader"])  # Hà Nội's leader: the case is theirs now
    page = leader.get(f"/staff/cases/{case.id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no rule matched inside its agencies" in page
    assert "No rule matched: sent to the triage desk." not in page


@pytest.mark.parametrize("submit", [submit_by_api, submit_by_form], ids=["api", "form"])
def test_the_first_rule_inside_the_subtree_wins(api, sites, reference_data, submit):
    # On the ministry's site: "education-keywords" (another ministry) matches first; "land-national" (this
    # ministry) matches too and wins here.
    data = submission(reference_data, category="dat-dai", area="tinh-44", title="Học phí và tiền thuê đất trường")
    case = submit(api, MINISTRY, data)
    assert case.agency.code == "BO-NNMT"
    assert case.routing_rule == "land-national"
    assert case.routing_explanation["within"] == {
        "root": "BO-NNMT",
        "outside_agency": "BO-GDDT",
        "outside_rule": "education-keywords",
        "outcome": "rule_inside",
    }
    assert case.routing_explanation["matched"]["category"] == ["dat-dai"]


def test_the_parent_portal_routes_by_the_rules_alone(api, sites, reference_data):
    data = submission(reference_data, category="dat-dai", area="tinh-44", title="Học phí và tiền thuê đất trường")
    case = submit_by_api(api, PARENT, data)
    assert case.agency.code == "BO-GDDT"
    assert "within" not in case.routing_explanation


def test_a_case_already_inside_the_subtree_is_routed_as_usual(api, sites, reference_data):
    data = submission(reference_data, category="dat-dai", area="tinh-01", title="Thủ tục cấp sổ đỏ")
    case = submit_by_api(api, HANOI, data)
    assert case.agency.code == "SO-NNMT-HN" and case.routing_rule == "hanoi-land"
    assert "within" not in case.routing_explanation


def test_a_site_whose_root_agency_is_inactive_keeps_the_rules_choice(reference_data):
    hanoi = reference_data["agencies"]["UBND-HN"]
    Agency.objects.filter(pk=hanoi.pk).update(is_active=False)
    decision = route_case(
        kind="question",
        category=reference_data["categories"]["giao-duc"],
        area=reference_data["areas"]["tinh-01"],
        text="Hỏi về trường tiểu học",
        channel="web",
        within_path=hanoi.path,
    )
    assert decision.agency.code == "BO-GDDT" and "within" not in decision.explanation


def test_the_staff_page_explains_why_here(api, sites, reference_data, personas):
    data = submission(reference_data, category="giao-duc", area="tinh-01", title="Hỏi về trường tiểu học")
    case = submit_by_api(api, HANOI, data)
    leader = Client()
    leader.force_login(personas["leader"])
    body = leader.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Bộ Giáo dục và Đào tạo" in body  # the agency the rules chose, outside the site
