"""Schemathesis against /api/schema/: for generated requests to every operation, never a 5xx, and every
response that the schema documents matches it. A bounded number of examples per operation keeps it short."""

import pytest
import schemathesis
from caunoi.config.wsgi import application
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# Loaded when the tests are collected: building the schema reads code, not the database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


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
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_contract(case):
    # call_and_validate raises on a failed check; the status is asserted as well, so the contract is visible.
    response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
    assert response.status_code < 500, response.text
