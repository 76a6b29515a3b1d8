"""Routing suggestions learned from past routing decisions and transfers: trained by a task, versioned,
measured on held-out cases, shown with reasons on the case page and the queue, acted on only by a person."""

from __future__ import annotations

import pytest
from caunoi.accounts.models import Role
from caunoi.cases.models import Case
from caunoi.cases.services import case_transfer
from caunoi.core import clock
from caunoi.understanding.models import RoutingModel
from caunoi.understanding.routing_training import routing_model_train, suggest_for_case
from caunoi.understanding.tasks import retrain_routing_model
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.support import semantic_eval
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

TOPICS = ("birth-registration", "land-cert-first", "tuition-exemption", "noise-karaoke")


def history(personas, agencies) -> list[Case]:
    """Past cases of four topics, each finally handled by its topic's agency: most answered there, one moved
    there by a transfer (a correction of the rules)."""
    made = []
    for question in semantic_eval.questions():
        if question.topic not in TOPICS:
            continue
        case, _ = submit_case(
            title=question.text[:200], body=question.text, category=question.category, area=question.area
        )
        made.append((case, question))
    # The rules sent a birth registration to the triage desk, which transferred it: a correction.
    transferred, question = next((c, q) for c, q in made if c.agency.code != q.agency)
    case_transfer(case=transferred, by=personas["admin"], to_agency=agencies[question.agency], reason="Sai nơi")
    for case, question in made:
        if case.pk == transferred.pk:
            continue
        Case.objects.filter(pk=case.pk).update(
            agency=agencies[question.agency], status="answered", closed_at=clock.now()
        )
    return [case for case, _q in made]


def test_nothing_is_trained_without_enough_history(personas):
    submit_case()
    assert routing_model_train() is None
    assert RoutingModel.objects.count() == 0


def test_a_model_trained_from_history_suggests_the_agency_with_reasons_and_is_shown_to_staff(personas, agencies):
    history(personas, agencies)
    model_id = retrain_routing_model()  # what beat runs nightly
    model = RoutingModel.objects.get(pk=model_id)
    assert model.examples == 36 and model.held_out > 0
    assert model.top3_accuracy is not None and model.rules_accuracy is not None
    assert set(model.agencies) == {"UBND-P-HOANKIEM", "SO-NNMT-HN", "BO-GDDT"}

    # A new birth registration: the rules send it to the triage desk (no rule for that category).
    new, _ = submit_case(
        title="Làm giấy khai sinh cho con mới sinh",
        body="Cần mang theo giấy tờ gì?",
        category="thu-tuc-hanh-chinh",
        area="xa-00070",
    )
    assert new.agency.code == "VPCP-TIEPNHAN"
    top = suggest_for_case(new)[0]
    assert top.agency.code == "UBND-P-HOANKIEM" and top.probability > 0.3
    assert any("sinh" in reason for reason in top.reasons)

    triage = make_user("triage", Role.OFFICIAL, [agencies["VPCP-TIEPNHAN"]])  # the triage desk
    client = Client()
    client.force_login(triage)
    page = client.get(reverse("cases:staff-case", args=[new.pk])).content.decode()
    assert "UBND-P-HOANKIEM" in page.split('id="routing-suggestion-heading"')[1]
    assert 'name="agency" value="UBND-P-HOANKIEM"' in page  # a transfer, one click, by a person
    new.refresh_from_db()
    assert new.agency.code == "VPCP-TIEPNHAN"  # nothing moved by itself

    queue = client.get(reverse("cases:staff-queue")).content.decode()
    assert "UBND-P-HOANKIEM" in queue.split(new.tracking_code)[1].split("</tr>")[0]

    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    admin_page = client.get(reverse("admin:understanding_routingmodel_changelist")).content.decode()
    assert f"{model.top3_accuracy:.0%}" in admin_page


def test_a_workflows_policy_may_let_a_confident_model_route_at_intake(personas, agencies, monkeypatch):
    import dataclasses

    from caunoi.cases.services import submission
    from caunoi.workflows.registry import workflows
    from caunoi.workflows.types import SuggestionsPolicy

    assert workflows().suggestions_policy.auto_route is False  # shipped off (workflows/suggestions/v1.yaml)
    history(personas, agencies)
    routing_model_train()
    policy = SuggestionsPolicy(2, True, 0.5, ("VPCP-TIEPNHAN",))
    monkeypatch.setattr(submission, "workflows", lambda: dataclasses.replace(workflows(), suggestions={2: policy}))
    case, _ = submit_case(
        title="Làm giấy khai sinh cho con mới sinh",
        body="Cần giấy tờ gì?",
        category="thu-tuc-hanh-chinh",
        area="xa-00070",
    )
    assert case.agency.code == "UBND-P-HOANKIEM"
    assert case.routing_explanation["rules_chose"] == "VPCP-TIEPNHAN"
    assert case.routing_explanation["learned"]["confidence"] >= 0.5
    # A case the rules send to an agency that is not a triage desk is left where the rules put it.
    land, _ = submit_case(title="Làm giấy khai sinh", body="Khai sinh", category="dat-dai", area="tinh-01")
    assert land.agency.code == "SO-NNMT-HN"
