"""POST /api/v1/cases/ with an Idempotency-Key: a retried request returns the case the first one created,
also when both arrive at once; the same key with other content, or a malformed key, is refused."""

import datetime as dt
import threading
import uuid

import pytest
import time_machine
from caunoi.cases.models import Case, IntakeKey
from caunoi.cases.services import hash_token
from caunoi.cases.tasks import expire_intake_keys
from django.db import connection
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "feedback",
    "title": "Đèn đường hỏng trên phố Huế",
    "body": "Ba cột đèn trước số nhà 40 phố Huế không sáng từ tuần trước.",
    "category": "moi-truong",
    "area": "tinh-01",
    "name": "Trần Thị Bình",
}


def submit(api, key, **changes):
    return api.post("/api/v1/cases/", {**VALID, **changes}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_returns_the_same_case_and_token(api, reference_data):
    key = str(uuid.uuid4())
    first = submit(api, key)
    again = submit(api, key)

    assert first.status_code == again.status_code == 201
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert again.json()["access_token"] == first.json()["access_token"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    case = Case.objects.get()
    assert case.access_token_hash == hash_token(first.json()["access_token"])
    assert case.events.filter(type="submitted").count() == 1


def test_different_keys_make_different_cases_with_different_tokens(api, reference_data):
    one, two = submit(api, str(uuid.uuid4())).json(), submit(api, str(uuid.uuid4())).json()
    assert one["tracking_code"] != two["tracking_code"]
    assert one["access_token"] != two["access_token"]
    assert Case.objects.count() == 2


def test_the_same_key_with_other_content_is_refused_and_changes_nothing(api, reference_data):
    key = str(uuid.uuid4())
    submit(api, key)
    response = submit(api, key, title="Một câu hỏi khác hẳn")

    assert response.status_code == 422
    assert "idempotency_key" in response.json()
    assert Case.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "x" * 256, "có dấu tiếng việt 1234567890", "with space 1234567890"])
def test_a_malformed_key_is_refused_with_a_field_message(api, reference_data, key):
    response = api.post("/api/v1/cases/", VALID, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert Case.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_store_one_case(reference_data):
    key = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            barrier.wait()
            answers.append(submit(APIClient(), key))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [201, 201]
    assert len({answer.json()["tracking_code"] for answer in answers}) == 1
    assert sorted(answer.get("Idempotent-Replayed", "") for answer in answers) == ["", "true"]
    assert Case.objects.count() == 1


def test_keys_are_forgotten_after_their_time(api, reference_data, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    key = str(uuid.uuid4())
    submit(api, key)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)):
        assert expire_intake_keys() == 0
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)):
        assert expire_intake_keys() == 1
    assert not IntakeKey.objects.exists()
    assert Case.objects.count() == 1  # the case stays; only the key is forgotten
