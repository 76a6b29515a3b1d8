"""While PostgreSQL cannot be reached, requests get a clear 503 with Retry-After (JSON for the API, a page
for people), never a 500 (the real outage is in tests/cluster/test_fault_postgres.py)."""

import pytest
from django.db import OperationalError


@pytest.fixture
def database_down(monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("connection failed: server closed the connection unexpectedly")

    monkeypatch.setattr("caunoi.publication.api.views.published_search", unreachable)
    monkeypatch.setattr("caunoi.publication.web.views.published_search", unreachable)


@pytest.mark.django_db
def test_the_api_answers_503_in_json(client, database_down):
    response = client.get("/api/v1/published/", {"q": "đất đai"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "briefly unavailable" in response.json()["detail"]


@pytest.mark.django_db
def test_a_page_answers_503_with_a_page_people_can_read(client, database_down):
    response = client.get("/hoi-dap/", {"q": "đất đai"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "tạm thời" in response.content.decode() or "briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_are_not_hidden(client, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("caunoi.publication.api.views.published_search", broken)
    client.raise_request_exception = False
    assert client.get("/api/v1/published/", {"q": "x"}).status_code == 500
