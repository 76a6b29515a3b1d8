"""Find anything: the work queue finds a case by its tracking code whatever its status (closed ones too),
lists closed cases and all of the agency's cases, and staff land on their queue after logging in."""

from __future__ import annotations

import pytest
from caunoi.cases.services import case_answer_draft, case_approve, case_claim, case_submit_for_review
from django.urls import reverse

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
QUEUE = reverse("cases:staff-queue")


def answered(personas, **kwargs):
    case, _ = submit_case(**kwargs)
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Trả lời.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=case, by=personas["leader"], version=1)
    return case


@pytest.fixture
def official(client, personas):
    client.force_login(personas["official_a"])
    return client


def test_a_tracking_code_opens_the_case_even_when_closed(official, personas, reference_data):
    closed = answered(personas)
    for query in ({"code": closed.tracking_code}, {"code": closed.tracking_code.lower()}, {"q": closed.tracking_code}):
        response = official.get(QUEUE, query)
        assert response.status_code == 302, query
        assert response["Location"] == reverse("cases:staff-case", args=[closed.id])


def test_an_unknown_code_says_so_beside_the_field(official, reference_data):
    response = official.get(QUEUE, {"code": "HD-2026-999999"})
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="id_code-error"' in html
    assert "HD-2026-999999" in html


def test_another_agencys_case_is_not_found_by_its_code(client, personas, reference_data):
    case, _ = submit_case()
    client.force_login(personas["official_b"])
    assert client.get(QUEUE, {"code": case.tracking_code}).status_code == 404


def test_closed_and_all_views(official, personas, reference_data):
    closed = answered(personas, title="Đã trả lời về sổ đỏ")
    open_case, _ = submit_case(title="Còn mở về sổ đỏ")
    open_view = official.get(QUEUE).content.decode()
    assert open_case.tracking_code in open_view
    assert closed.tracking_code not in open_view
    closed_view = official.get(QUEUE, {"view": "closed"}).content.decode()
    assert closed.tracking_code in closed_view
    assert open_case.tracking_code not in closed_view
    every = official.get(QUEUE, {"view": "all", "q": "so do"}).content.decode()
    assert closed.tracking_code in every
    assert open_case.tracking_code in every


def test_staff_land_on_their_queue_and_citizens_where_they_did(client, personas, reference_data):
    for username, landing in (("official-a", QUEUE), ("leader", QUEUE), ("citizen", reverse("publication:home"))):
        client.logout()
        response = client.post(reverse("accounts:login"), {"username": username, "password": "correct horse 42"})
        assert response.status_code == 302, username
        assert response["Location"] == landing, username
    client.logout()
    asked = client.post(
        f"{reverse('accounts:login')}?next={reverse('cases:my-cases')}",
        {"username": "official-a", "password": "correct horse 42"},
    )
    assert asked["Location"] == reverse("cases:my-cases")  # `next` still wins
