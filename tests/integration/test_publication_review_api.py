"""Publication review by API: the list (paged, filtered, searched, for every reviewer and nobody else),
one item, the decisions (approve, reject, redact), and the link between a case and its review item."""

from __future__ import annotations

import pytest
from caunoi.publication.models import PublishedItem, Status
from rest_framework.test import APIClient

from tests.conftest import api_as
from tests.support.publication import answered_case

pytestmark = pytest.mark.django_db

LIST = "/api/v1/publication-reviews/"


@pytest.fixture
def pending(personas) -> PublishedItem:
    case = answered_case(personas)
    return PublishedItem.objects.get(case=case)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("moderator", True), ("admin", True), ("leader", True), ("official_a", False), ("citizen", False), (None, False)],
)
def test_every_role_gets_the_list_it_may_see(personas, pending, persona, sees):
    client = api_as(personas[persona]) if persona else APIClient()

    response = client.get(LIST)

    if sees:
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [pending.pk]
    else:
        assert response.status_code in (401, 403)
        assert "detail" in response.json()


def test_a_leader_does_not_see_another_agencys_items(personas, reference_data, pending):
    from tests.conftest import make_user

    other = make_user("leader-b", "leader", [reference_data["agencies"]["BO-GDDT"]])
    client = api_as(other)

    assert client.get(LIST).json()["results"] == []
    assert client.get(f"{LIST}{pending.pk}/").status_code == 404
    assert client.post(f"{LIST}{pending.pk}/approve/", {}, format="json").status_code == 404


def test_the_list_is_paged_filtered_and_searched(personas):
    items = [PublishedItem.objects.get(case=answered_case(personas)) for _ in range(3)]
    moderator = api_as(personas["moderator"])

    first = moderator.get(LIST, {"page_size": 2}).json()
    second = moderator.get(first["next"]).json()
    by_code = moderator.get(LIST, {"q": items[1].case.tracking_code.lower()}).json()
    by_words = moderator.get(LIST, {"q": "cap so do"}).json()  # "cấp sổ đỏ" typed without diacritics
    other_agency = moderator.get(LIST, {"agency": "BO-GDDT"}).json()
    unknown = moderator.get(LIST, {"agency": "KHONG-CO"}, HTTP_ACCEPT_LANGUAGE="en")

    assert first["count"] == 3
    assert [r["id"] for r in first["results"] + second["results"]] == [i.pk for i in items]
    assert [r["id"] for r in by_code["results"]] == [items[1].pk]
    assert by_words["count"] == 3
    assert other_agency["count"] == 0
    assert unknown.status_code == 400 and "agency" in unknown.json()


def test_approve_publishes_and_the_case_links_to_its_review_item(personas, pending):
    moderator = api_as(personas["moderator"])

    response = moderator.post(f"{LIST}{pending.pk}/approve/", {}, format="json")
    case_view = api_as(personas["official_a"]).get(f"/api/v1/cases/{pending.case_id}/").json()

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["case"] == {"id": pending.case_id, "tracking_code": pending.case.tracking_code}
    assert case_view["publication_review"] == {"id": pending.pk, "status": "published"}
    again = moderator.post(f"{LIST}{pending.pk}/approve/", {}, format="json")
    assert again.status_code == 409


def test_reject_needs_a_reason(personas, pending):
    moderator = api_as(personas["moderator"])

    without = moderator.post(f"{LIST}{pending.pk}/reject/", {}, format="json")
    unknown_field = moderator.post(f"{LIST}{pending.pk}/reject/", {"reason": "x", "why": "y"}, format="json")
    rejected = moderator.post(f"{LIST}{pending.pk}/reject/", {"reason": "Trùng nội dung đã đăng."}, format="json")

    assert without.status_code == 400 and "reason" in without.json()
    assert unknown_field.status_code == 400 and "why" in unknown_field.json()
    assert rejected.json()["status"] == Status.DECLINED


def test_redact_hides_words_from_the_public_text(personas, pending):
    moderator = api_as(personas["moderator"])

    response = moderator.post(
        f"{LIST}{pending.pk}/redact/", {"phrase": "năm 1990", "kind": "other", "everywhere": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert "1990" not in body["question"]
    assert any(r["text"] == "năm 1990" for r in body["redactions"])


def test_an_unknown_decision_is_404_json(personas, pending):
    response = api_as(personas["moderator"]).post(f"{LIST}{pending.pk}/burn/", {}, format="json")

    assert response.status_code == 404
    assert "detail" in response.json()
