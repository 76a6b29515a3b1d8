"""A citizen's rights over their data (Law 91/2025), self-service from the track page (access code) or their
account, and by API: withdraw consent to publication (the item leaves the portal at once), download what the
platform holds about them (JSON), and ask for deletion (a staff queue with a legal deadline, then
anonymised). Each is a case event."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from caunoi.cases.models import Case, ErasureRequest, EventType
from caunoi.cases.services import case_answer_draft, case_approve, case_claim, case_submit_for_review
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import WrongItemStatus, item_publish
from django.db.models import F
from django.test import Client

from tests.conftest import api_as
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


def published_case(personas):
    case, token = submit_case(phone="0912345678", body="Tôi là Trần Thị Hạnh, xin hỏi thủ tục cấp sổ đỏ lần đầu.")
    Case.objects.filter(pk=case.pk).update(consent_to_publish=True)
    case.refresh_from_db()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Hồ sơ gồm đơn và giấy tờ về đất.")
    case_submit_for_review(case=case, by=personas["official_a"])
    case_approve(case=Case.objects.get(pk=case.pk), by=personas["leader"], version=1)
    item = PublishedItem.objects.get(case=case)
    item_publish(item=item, by=personas["moderator"])
    return Case.objects.get(pk=case.pk), token, item


def tracked_browser(case, token) -> Client:
    client = Client()
    assert client.post("/track/", {"code": case.tracking_code, "token": token}).status_code == 302
    return client


def test_withdrawing_consent_by_api_unpublishes_at_once(api, personas):
    case, token, item = published_case(personas)
    url = f"/api/v1/cases/track/{case.tracking_code}/consent/withdraw/"
    assert api.post(url, HTTP_X_ACCESS_TOKEN="guess").status_code == 404
    response = api.post(url, HTTP_X_ACCESS_TOKEN=token)
    assert response.status_code == 200 and response.json()["consent_to_publish"] is False
    item.refresh_from_db()
    assert item.status == Status.UNPUBLISHED
    assert api.get(f"/api/v1/published/{item.slug}/").status_code == 404
    case.refresh_from_db()
    assert case.consent_to_publish is False
    assert case.events.filter(type=EventType.CONSENT_WITHDRAWN).count() == 1
    assert api.post(url, HTTP_X_ACCESS_TOKEN=token).status_code == 200  # again: nothing more happens
    assert case.events.filter(type=EventType.CONSENT_WITHDRAWN).count() == 1
    with pytest.raises(WrongItemStatus):  # no reviewer can put it back without new consent
        item_publish(item=item, by=personas["moderator"])


def test_withdrawing_consent_on_the_track_page(personas):
    case, token, item = published_case(personas)
    client = tracked_browser(case, token)
    page = client.get(f"/track/{case.tracking_code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw my consent" in page
    response = client.post(f"/track/{case.tracking_code}/consent/withdraw/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "no longer published" in response.content.decode()
    assert PublishedItem.objects.get(pk=item.pk).status == Status.UNPUBLISHED
    assert Client().post(f"/track/{case.tracking_code}/consent/withdraw/").status_code == 404  # not proved


def test_the_data_download_holds_what_the_platform_keeps(api, personas):
    case, token, _item = published_case(personas)
    response = api.post(f"/api/v1/cases/track/{case.tracking_code}/personal-data/", HTTP_X_ACCESS_TOKEN=token)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["case"]["tracking_code"] == case.tracking_code
    assert data["contact"] == {"name": "Trần Thị Hạnh", "email": "nguoi-dan@example.org", "phone": "0912345678",
                               "address": ""}  # fmt: skip
    assert data["case"]["body"].startswith("Tôi là Trần Thị Hạnh")
    assert data["consent"] == {"consent_to_publish": True, "show_name_publicly": False}
    assert data["answer"] == "Hồ sơ gồm đơn và giấy tờ về đất."
    assert data["publication"]["status"] == "published"
    assert "access_token_hash" not in json.dumps(data)
    assert case.events.filter(type=EventType.DATA_EXPORTED).count() == 1
    page = tracked_browser(case, token).post(f"/track/{case.tracking_code}/personal-data/")
    assert page.status_code == 200 and page["Content-Type"].startswith("application/json")
    assert json.loads(page.content)["case"]["tracking_code"] == case.tracking_code


def test_a_deletion_request_waits_in_the_staff_queue_with_a_deadline_then_anonymises(api, personas, settings):
    case, token, item = published_case(personas)
    response = api.post(f"/api/v1/cases/track/{case.tracking_code}/erasure/", HTTP_X_ACCESS_TOKEN=token)
    assert response.status_code == 201
    request = ErasureRequest.objects.get(case=case)
    assert request.due_at - request.requested_at == dt.timedelta(hours=settings.ERASURE_DEADLINE_HOURS)
    assert api.post(f"/api/v1/cases/track/{case.tracking_code}/erasure/", HTTP_X_ACCESS_TOKEN=token).status_code == 200
    assert ErasureRequest.objects.filter(case=case).count() == 1  # asking twice makes one request
    assert Case.objects.get(pk=case.pk).events.filter(type=EventType.ERASURE_REQUESTED).count() == 1

    official, other = api_as(personas["official_a"]), api_as(personas["official_b"])
    queue = official.get("/api/v1/erasure-requests/").json()
    assert [row["tracking_code"] for row in queue["results"]] == [case.tracking_code]
    assert queue["results"][0]["due_at"]
    assert other.get("/api/v1/erasure-requests/").json()["results"] == []  # another agency's
    assert other.post(f"/api/v1/erasure-requests/{request.pk}/carry-out/").status_code == 404
    assert api_as(personas["citizen"]).get("/api/v1/erasure-requests/").status_code in {403, 404}

    done = official.post(f"/api/v1/erasure-requests/{request.pk}/carry-out/")
    assert done.status_code == 200
    case.refresh_from_db()
    assert case.anonymised_at is not None and case.contact_name == "" and "Hạnh" not in case.body
    request.refresh_from_db()
    assert request.done_at is not None and request.done_by == personas["official_a"]
    assert "Hạnh" not in PublishedItem.objects.get(pk=item.pk).source_question
    assert official.get("/api/v1/erasure-requests/").json()["results"] == []
    assert official.post(f"/api/v1/erasure-requests/{request.pk}/carry-out/").status_code == 409


def test_the_staff_page_lists_requests_and_carries_them_out(personas):
    case, token, _item = published_case(personas)
    tracked = tracked_browser(case, token)
    response = tracked.post(f"/track/{case.tracking_code}/erasure/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Your request to delete your personal data was received" in response.content.decode()
    staff = Client()
    staff.force_login(personas["official_a"])
    page = staff.get("/staff/erasure-requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert case.tracking_code in page and "Overdue" not in page
    ErasureRequest.objects.update(due_at=F("requested_at") + dt.timedelta(seconds=1))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        assert "Overdue" in staff.get("/staff/erasure-requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    request = ErasureRequest.objects.get()
    staff.post(f"/staff/erasure-requests/{request.pk}/carry-out/")
    assert Case.objects.get(pk=case.pk).anonymised_at is not None


def test_the_owner_uses_the_rights_from_their_account(reference_data, personas):
    owner = personas["citizen"]
    case, _token = submit_case(submitter=owner)
    client = Client()
    client.force_login(owner)
    assert client.post(f"/track/{case.tracking_code}/personal-data/").status_code == 200
    assert api_as(owner).post(f"/api/v1/cases/track/{case.tracking_code}/erasure/").status_code == 201


def test_a_logged_in_citizen_downloads_everything_their_account_holds(reference_data, personas):
    owner = personas["citizen"]
    first, _ = submit_case(submitter=owner, title="Hỏi về cấp sổ đỏ lần đầu")
    second, _ = submit_case(submitter=owner, title="Hỏi về học phí", category="giao-duc", area=None)
    submit_case(title="Của người khác")  # not theirs
    response = api_as(owner).post("/api/v1/cases/mine/personal-data/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["account"]["email"] == owner.email
    assert [c["case"]["tracking_code"] for c in data["cases"]] == [first.tracking_code, second.tracking_code]
    assert first.events.filter(type=EventType.DATA_EXPORTED).count() == 1
    assert api_as(owner).post("/api/v1/cases/mine/personal-data/").status_code == 200
    client = Client()
    client.force_login(owner)
    assert "/my-cases/personal-data/" in client.get("/my-cases/").content.decode()
    page = client.post("/my-cases/personal-data/")
    assert page.status_code == 200 and len(json.loads(page.content)["cases"]) == 2
    assert Client().post("/api/v1/cases/mine/personal-data/").status_code in {401, 403}


def test_the_rights_endpoints_are_in_the_openapi_schema(api, reference_data):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/cases/track/{tracking_code}/consent/withdraw/",
        "/api/v1/cases/track/{tracking_code}/personal-data/",
        "/api/v1/cases/track/{tracking_code}/erasure/",
        "/api/v1/erasure-requests/",
        "/api/v1/cases/mine/personal-data/",
        "/api/v1/erasure-requests/{request_id}/carry-out/",
    ):
        assert "post" in schema["paths"][path] or "get" in schema["paths"][path], path


def test_a_deletion_request_reaches_the_dialogue_question_the_case_came_from(api, personas, reference_data):
    from caunoi.dialogues.models import DialogueQuestion, State
    from caunoi.dialogues.services import dialogue_advance, question_approve, question_ask
    from caunoi.dialogues.testing import make_dialogue

    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    question = question_ask(
        dialogue=dialogue, asker_name="Trần Thị Hạnh", text="Khi nào phường cấp sổ đỏ?", email="hanh@example.org"
    )
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])
    case = DialogueQuestion.objects.get(pk=question.pk).case
    request = ErasureRequest.objects.create(
        case=case, requested_at=case.received_at, due_at=case.received_at + dt.timedelta(hours=72)
    )
    admin = api_as(personas["admin"])  # the case went wherever routing sent it
    assert admin.post(f"/api/v1/erasure-requests/{request.pk}/carry-out/").status_code == 200
    question.refresh_from_db()
    assert (question.asker_name, question.contact_email, question.asker) == ("", "", None)


def test_the_agencys_leaders_are_told_of_a_deletion_request_and_its_deadline(api, personas):
    from caunoi.notifications.models import Notification

    case, token, _item = published_case(personas)
    leader = personas["leader"]  # of Hà Nội: the case's department is below it
    leader.email = "lanh-dao@hanoi.example"
    leader.save(update_fields=["email"])
    api.post(f"/api/v1/cases/track/{case.tracking_code}/erasure/", HTTP_X_ACCESS_TOKEN=token)
    told = Notification.objects.filter(template="staff_erasure_requested")
    assert told.exists()
    assert personas["leader"].email in told.values_list("recipient", flat=True)
    assert told.first().context["due_date"]
