"""POST /api/v1/cases/: a submission is stored once, routed, given its legal deadline and three events."""

import datetime as dt
import json

import pytest
import time_machine
from caunoi.cases.models import Case, CaseEvent
from caunoi.cases.services import hash_token
from caunoi.workflows.registry import workflows
from django.db import connection

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "feedback",
    "title": "Rác thải đổ trộm ở đầu ngõ",
    "body": "Rác thải sinh hoạt bị đổ ở đầu ngõ 15 phố Hàng Bông nhiều ngày nay.",
    "category": "moi-truong",
    "area": "xa-00070",
    "name": "Nguyễn Văn An",
    "email": "an@example.org",
    "phone": "0912 345 678",
}


def submit(api, **changes):
    return api.post("/api/v1/cases/", {**VALID, **changes}, format="json")


@time_machine.travel(dt.datetime(2027, 2, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
def test_a_submission_returns_its_tracking_code_agency_and_due_date(api, reference_data):
    response = submit(api, kind="question", title="Hỏi về thủ tục cấp sổ đỏ", category="dat-dai", area="tinh-01")

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"tracking_code", "access_token", "status", "agency", "due_at"}
    assert body["tracking_code"].startswith("HD-2027-")
    assert body["status"] == "received"
    assert body["agency"]["code"] == "SO-NNMT-HN"
    # 15 working days from Wednesday 3 Feb 2027, skipping Tết (4–10 Feb) and weekends: Tuesday 2 March.
    assert body["due_at"] == "2027-03-02T23:59:59+07:00"
    case = Case.objects.get(tracking_code=body["tracking_code"])
    assert case.access_token_hash == hash_token(body["access_token"])
    assert body["access_token"] not in json.dumps(case.routing_explanation)


def test_the_case_records_workflow_versions_routing_reason_and_events(api, reference_data):
    body = submit(api).json()
    case = Case.objects.get(tracking_code=body["tracking_code"])
    wf = workflows()
    assert (case.lifecycle_version, case.routing_version, case.deadline_version) == (
        wf.lifecycle.version,
        wf.routing.version,
        wf.deadline_policy.version,
    )
    assert case.routing_rule == "hanoi-pollution"
    assert case.routing_explanation["matched"] == {"area": ["tinh-01"], "keywords": ["rac thai"]}
    assert case.channel == "api"
    assert case.contact_phone == "0912345678"
    events = list(case.events.values_list("type", flat=True))
    assert events == ["submitted", "routed", "deadline_set"]
    assert all(e.routing_version == wf.routing.version for e in CaseEvent.objects.filter(case=case))


def test_tracking_codes_are_unique_and_prefixed_by_kind(api, reference_data):
    codes = [submit(api, kind=kind).json()["tracking_code"] for kind in ("question", "feedback", "petition")]
    assert [c[:3] for c in codes] == ["HD-", "PA-", "KN-"]
    assert len(set(codes)) == 3


def test_no_matching_rule_goes_to_the_triage_desk(api, reference_data):
    body = submit(
        api,
        kind="question",
        category="y-te",
        area="tinh-44",
        title="Hỏi về bảo hiểm",
        body="Xin hỏi về thẻ bảo hiểm y tế.",
    ).json()
    assert body["agency"]["code"] == "VPCP-TIEPNHAN"
    case = Case.objects.get(tracking_code=body["tracking_code"])
    assert case.routing_rule == ""
    assert case.routing_explanation["fallback"] is True


def test_a_rule_naming_a_missing_agency_falls_back_and_says_so(api, reference_data, agencies):
    agencies["BO-GDDT"].is_active = False
    agencies["BO-GDDT"].save()
    body = submit(api, category="giao-duc", area="", title="Hỏi về trường học", body="Trường học xuống cấp.").json()
    case = Case.objects.get(tracking_code=body["tracking_code"])
    assert case.agency.code == "VPCP-TIEPNHAN"
    assert case.routing_explanation["misconfigured_agency"] == "BO-GDDT"


def test_a_signed_in_citizen_is_recorded_as_the_submitter(personas, reference_data):
    from tests.conftest import api_as

    body = api_as(personas["citizen"]).post("/api/v1/cases/", VALID, format="json").json()
    assert Case.objects.get(tracking_code=body["tracking_code"]).submitter == personas["citizen"]


def test_vn_unaccent_in_the_database_folds_like_python(db):
    from caunoi.core.text import ACCENTED, vn_fold

    with connection.cursor() as cursor:
        cursor.execute("SELECT vn_unaccent(%s)", [ACCENTED + " Cổng Thông Tin"])
        assert cursor.fetchone()[0] == vn_fold(ACCENTED + " Cổng Thông Tin")


def test_moving_an_agency_moves_its_subtree(agencies):
    from caunoi.agencies.models import Agency
    from caunoi.agencies.selectors import agency_subtree

    hanoi, ministry = agencies["UBND-HN"], agencies["BO-NNMT"]
    hanoi.parent = ministry
    hanoi.save()
    ward = Agency.objects.get(code="UBND-P-HOANKIEM")
    assert ward.path == f"{ministry.path}{hanoi.pk}/{ward.pk}/"
    assert ward.depth == 3
    assert set(agency_subtree(ministry).values_list("code", flat=True)) >= {"BO-NNMT", "UBND-HN", "UBND-P-HOANKIEM"}
