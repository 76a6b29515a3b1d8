"""The citizen answers a request for information and rates the answer, by API and on the track page."""

import pytest
from caunoi.cases.models import Rating
from caunoi.cases.services import (
    case_answer_draft,
    case_approve,
    case_claim,
    case_request_info,
    case_submit_for_review,
)

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


def track(api, case, token):
    return api.get(f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token).json()


def answer(case, personas):
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Câu trả lời chính thức.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=1)


def test_reply_by_api_resumes_the_clock(api, personas, reference_data):
    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin gửi bản sao giấy tờ đất.")
    before = track(api, case, token)
    assert (before["can_reply"], before["clock"], before["messages"][0]["from_citizen"]) == (True, "paused", False)
    url = f"/api/v1/cases/track/{case.tracking_code}/reply/"
    assert api.post(url, {"body": "Đã gửi."}, format="json", HTTP_X_ACCESS_TOKEN="wrong").status_code == 404
    assert api.post(url, {"body": ""}, format="json", HTTP_X_ACCESS_TOKEN=token).status_code == 400
    after = api.post(url, {"body": "Tôi gửi kèm bản sao."}, format="json", HTTP_X_ACCESS_TOKEN=token).json()
    assert (after["can_reply"], after["clock"], after["status"]) == (False, "running", "in_progress")
    assert after["due_at"] is not None
    assert api.post(url, {"body": "Lần hai"}, format="json", HTTP_X_ACCESS_TOKEN=token).status_code == 409


def test_rating_by_api_once_after_the_answer(api, personas, reference_data):
    case, token = submit_case()
    url = f"/api/v1/cases/track/{case.tracking_code}/rating/"
    assert api.post(url, {"score": 5}, format="json", HTTP_X_ACCESS_TOKEN=token).status_code == 409
    answer(case, personas)
    body = track(api, case, token)
    assert (body["answer"], body["can_rate"]) == ("Câu trả lời chính thức.", True)
    assert api.post(url, {"score": 9}, format="json", HTTP_X_ACCESS_TOKEN=token).status_code == 400
    created = api.post(url, {"score": 4, "comment": "Hữu ích"}, format="json", HTTP_X_ACCESS_TOKEN=token)
    assert created.status_code == 201
    assert api.post(url, {"score": 1}, format="json", HTTP_X_ACCESS_TOKEN=token).status_code == 409
    assert track(api, case, token)["rating"] == 4
    assert Rating.objects.get(case=case).comment == "Hữu ích"


def test_officials_never_see_who_rated(personas, reference_data, web):
    case, _token = submit_case()
    answer(case, personas)
    Rating.objects.create(case=case, score=2, comment="Chưa thỏa đáng")
    official = type(web)()
    official.force_login(personas["official_a"])
    html = official.get(f"/staff/cases/{case.id}/").content.decode()
    assert "Chưa thỏa đáng" not in html


def test_reply_and_rating_on_the_track_page(web, personas, reference_data):
    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin gửi bản sao.")
    assert web.post(f"/track/{case.tracking_code}/reply/", {"body": "x"}).status_code == 404  # not proved yet
    web.post("/track/", {"code": case.tracking_code, "token": token})
    response = web.post(f"/track/{case.tracking_code}/reply/", {"body": "Đã gửi bản sao."}, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "in_progress"
    case_answer_draft(case=case, by=personas["official_a"], body="Trả lời.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=1)
    web.post(f"/track/{case.tracking_code}/rating/", {"score": "5", "comment": "Tốt"})
    assert Rating.objects.get(case=case).score == 5


def test_agencies_see_ratings_only_aggregated(personas, reference_data):
    from caunoi.cases.models import Rating as RatingModel

    from tests.conftest import api_as

    for score in (5, 4, 4):
        case, _token = submit_case()
        RatingModel.objects.create(case=case, score=score, comment="bí mật")
    other, _token = submit_case(category="giao-duc", area=None)  # routed to BO-GDDT
    RatingModel.objects.create(case=other, score=1)
    body = api_as(personas["official_a"]).get("/api/v1/queue/ratings/").json()
    assert body == {"count": 3, "average": 4.33, "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}
    assert "bí mật" not in str(body)
    assert api_as(personas["citizen"]).get("/api/v1/queue/ratings/").status_code == 403
