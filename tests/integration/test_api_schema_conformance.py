"""Schemathesis against /api/schema/, with every check it has but one: for generated requests to every
operation (valid ones and ones the schema forbids), never a 5xx, every status and content type documented,
every documented response matching its schema, requests the schema forbids refused with a 4xx, auth and
headers as documented. Fixed seed (derandomized) and a bounded number of examples per operation.

positive_data_acceptance is left out: it expects every schema-valid request to succeed, but a valid request
here names things that must exist (a category, an agency, a case in a state that allows the action) or pairs
of fields that must agree (a period's two days), which a JSON Schema cannot list. Its opposite,
negative_data_rejection, is on: anything the document forbids must be refused.
"""

import pytest
import schemathesis
import yaml
from caunoi.accounts.tokens import api_token_issue
from caunoi.config.wsgi import application
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.publication import answered_case

# Loaded when the tests are collected: building the schema reads code, not the database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
EXAMPLES_PER_OPERATION = 12
ERROR_STATUSES = {"400", "401", "403", "404", "409", "429"}
REQUESTS_SENT = [0]


@pytest.fixture(scope="module", autouse=True)
def _report_the_request_count():
    yield
    print(f"\nschemathesis: {REQUESTS_SENT[0]} requests")  # shown with -s; the budget, not a result


@pytest.fixture(autouse=True)
def _data(reference_data, personas):
    """Categories, areas, agencies and people exist, so that generated requests can reach past validation."""


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    # Requests here go straight to the WSGI application, whose request signals would close the test's
    # connection (and its transaction); Django's own test client disconnects them the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_contract(case):
    # call_and_validate raises on a failed check; the status is asserted as well, so the contract is visible.
    REQUESTS_SENT[0] += 1
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500, response.text


# The staff operations again, as an administrator (who may see every case and review item), with a case
# and a review item in place: past authentication, into the queries, the bodies and the answers themselves.
staff_schema = schema.include(path_regex=r"^/api/v1/(publication-reviews|cases/\{case_id\}|queue)")


@pytest.fixture
def admin_token(personas):
    _row, token = api_token_issue(user=personas["admin"], device="schemathesis")
    return token


@pytest.fixture
def _reviewable(personas):
    answered_case(personas)  # a case (id 1 upwards) and its item waiting for review


@pytest.mark.django_db
@staff_schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_staff_api_keeps_its_contract(case, admin_token, _reviewable):
    REQUESTS_SENT[0] += 1
    response = case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"}, excluded_checks=[positive_data_acceptance]
    )
    assert response.status_code < 500, response.text


def test_every_operation_documents_its_errors_with_a_body(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        responses = operation["responses"]
        missing = ERROR_STATUSES - responses.keys()
        assert not missing, (method, path, missing)
        media_type = "text/xml" if path.endswith(".xml") else "application/json"  # Open311's XML endpoints
        for status in ERROR_STATUSES:
            assert media_type in responses[status].get("content", {}), (method, path, status)
        assert ("413" in responses) == ("requestBody" in operation), (method, path)
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_the_schema_download_has_a_plain_file_name(client):
    response = client.get("/api/schema/")
    disposition = response["Content-Disposition"]
    assert disposition == 'inline; filename="caunoi-api.yaml"'
    assert "=?" not in disposition  # no RFC 2047 encoded-word, which HTTP clients do not decode
