"""Lock orders, retries and what a database error becomes: services raced on real PostgreSQL connections
in the interleaving that used to deadlock (tests/support/races.py), conflicts retried a bounded number of
times and then reported as errors, and only an unreachable database answered with 503."""

from __future__ import annotations

import logging

import pytest
from caunoi.cases.models import Case
from caunoi.cases.services import InvalidTransition, case_link_duplicate
from caunoi.core.middleware import DatabaseUnavailableMiddleware
from caunoi.core.transactions import is_connection_error, is_retryable_conflict, service_transaction
from caunoi.dialogues.models import Dialogue, DialogueQuestion
from caunoi.dialogues.services import question_approve, question_ask, question_pick, question_vote
from caunoi.dialogues.testing import make_dialogue
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from tests.support.cases import submit_case
from tests.support.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def retries(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "caunoi.core.transactions"]


def test_a_vote_and_the_hosts_pick_of_the_same_question_do_not_deadlock(personas, reference_data, caplog):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    question = question_ask(dialogue=dialogue, asker_name="An", text="Khi nào đường Vành đai 4 thông xe?")
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    caplog.set_level(logging.WARNING, logger="caunoi.core.transactions")

    vote, pick = race(
        DialogueQuestion._meta.db_table,
        [question.pk],
        lambda: question_vote(dialogue_id=dialogue.pk, question_id=question.pk, voter="a:browser-1"),
        lambda: question_pick(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["leader"]),
    )

    assert (vote.error, pick.error) == (None, None)
    assert retries(caplog) == []  # not rescued by a retry: no deadlock happened at all
    assert DialogueQuestion.objects.get(pk=question.pk).vote_count == 1
    assert Dialogue.objects.get(pk=dialogue.pk).now_answering_id == question.pk


def test_linking_a_to_b_while_linking_b_to_a_does_not_deadlock(personas, reference_data, caplog):
    first, _ = submit_case(email="a@example.org")
    second, _ = submit_case(email="b@example.org")
    caplog.set_level(logging.WARNING, logger="caunoi.core.transactions")

    forward, backward = race(
        Case._meta.db_table,
        [min(first.pk, second.pk)],
        lambda: case_link_duplicate(case=first, by=personas["official_a"], primary=second),
        lambda: case_link_duplicate(case=second, by=personas["official_a"], primary=first),
    )

    assert forward.error is None
    assert isinstance(backward.error, InvalidTransition)  # it saw the first link and refused a cycle
    assert retries(caplog) == []
    assert Case.objects.get(pk=first.pk).duplicate_of_id == second.pk
    assert Case.objects.get(pk=second.pk).duplicate_of_id is None


@service_transaction
def lock_two(first: int, second: int) -> None:
    """Locks two cases in the order given: opposite orders deadlock, on purpose."""
    for pk in (first, second):
        Case.objects.select_for_update().get(pk=pk)


def test_a_deadlock_is_retried_and_both_transactions_succeed(reference_data, caplog):
    one, two = submit_case()[0].pk, submit_case()[0].pk
    caplog.set_level(logging.WARNING, logger="caunoi.core.transactions")
    racers = race(Case._meta.db_table, [one], lambda: lock_two(one, two), lambda: lock_two(two, one))
    assert [r.error for r in racers] == [None, None]
    [retried] = retries(caplog)
    assert retried.levelno == logging.WARNING and "40P01" in retried.getMessage()


def test_a_conflict_that_persists_is_an_error_not_unavailability(reference_data, caplog, settings):
    settings.SERVICE_CONFLICT_ATTEMPTS = 1
    one, two = submit_case()[0].pk, submit_case()[0].pk
    caplog.set_level(logging.WARNING, logger="caunoi.core.transactions")
    racers = race(Case._meta.db_table, [one], lambda: lock_two(one, two), lambda: lock_two(two, one))
    [failed] = [r.error for r in racers if r.error is not None]
    assert isinstance(failed, OperationalError) and is_retryable_conflict(failed)
    assert [r.levelno for r in retries(caplog)] == [logging.ERROR]  # logged as an error: Sentry sees it
    assert not is_connection_error(failed)
    request = RequestFactory().post("/api/v1/cases/1/claim/")
    assert DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, failed) is None  # a 500


def test_only_an_unreachable_database_is_503(reference_data):
    with pytest.raises(OperationalError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '10ms'")
        cursor.execute("SELECT pg_sleep(1)")  # canceled (57014): a statement failed, the server is fine
    statement_error = refused.value
    lost = OperationalError("connection failed: server closed the connection unexpectedly")
    request = RequestFactory().get("/api/v1/published/")
    middleware = DatabaseUnavailableMiddleware(lambda r: None)
    assert middleware.process_exception(request, lost).status_code == 503
    assert not is_connection_error(statement_error)


def test_services_refuse_to_run_inside_another_transaction(personas, reference_data):
    case, _ = submit_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        case_link_duplicate(case=case, by=personas["official_a"], primary=submit_case()[0])


def test_approving_a_version_other_than_the_latest_is_refused(personas, reference_data):
    from caunoi.cases.services import case_answer_draft, case_claim, case_return, case_submit_for_review

    from tests.conftest import api_as

    case, _ = submit_case()
    official, leader = personas["official_a"], personas["leader"]
    case_claim(case=case, by=official)
    case_answer_draft(case=case, by=official, body="Bản nháp một.")
    case_submit_for_review(case=case, by=official)
    case_return(case=case, by=leader, comment="Bổ sung.")
    case_answer_draft(case=case, by=official, body="Bản nháp hai, leader chưa đọc.")
    case_submit_for_review(case=case, by=official)
    client = api_as(leader)
    stale = client.post(f"/api/v1/cases/{case.pk}/approve/", {"version": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 409 and "not the latest" in stale.json()["detail"]
    missing = client.post(f"/api/v1/cases/{case.pk}/approve/", {}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    assert Case.objects.get(pk=case.pk).status == "in_review"
    assert client.post(f"/api/v1/cases/{case.pk}/approve/", {"version": 2}, format="json").status_code == 200
    assert Case.objects.get(pk=case.pk).answer_versions.get(approved_at__isnull=False).number == 2
