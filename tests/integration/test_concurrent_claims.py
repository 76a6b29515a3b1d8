"""Two officials claim the same case at the same moment: exactly one wins, the other gets 409."""

import threading

import pytest
from caunoi.agencies.models import Membership
from caunoi.cases.models import Case
from django.db import connection

from tests.conftest import api_as, make_user
from tests.support.cases import submit_case


@pytest.mark.django_db(transaction=True)
def test_exactly_one_claim_wins(reference_data):
    agency = reference_data["agencies"]["SO-NNMT-HN"]
    officials = [make_user(f"official-{i}", "official", [agency]) for i in range(2)]
    case, _token = submit_case()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def claim(user):
        client = api_as(user)
        barrier.wait()
        statuses.append(client.post(f"/api/v1/cases/{case.id}/claim/", {}, format="json").status_code)
        connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in officials]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    case.refresh_from_db()
    assert case.assignee in officials
    assert case.events.filter(type="claimed").count() == 1
    assert Membership.objects.filter(agency=agency).count() == 2
    assert Case.objects.count() == 1
