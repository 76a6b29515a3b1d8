"""A case remembers the site it was sent from: the citizen's messages lead back to that site, and the staff
page names it. A deactivated site's cases fall back to the main portal's address."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import Case
from caunoi.cases.services.sweep import deadline_sweep
from caunoi.notifications.models import Notification
from caunoi.portals.models import Portal

from tests.support.component_sites import HANOI, PARENT, make_sites, submission, submit_by_api, submit_by_form

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def sites(settings, reference_data):
    settings.PORTAL_BASE_URL = "https://congthongtin.test"
    return make_sites(settings, reference_data)


def land_question(reference_data) -> dict[str, object]:
    question = submission(reference_data, category="dat-dai", area="tinh-01", title="Hỏi về cấp sổ đỏ")
    return {**question, "kind": "feedback"}


def receipt_link(case: Case) -> str:
    return Notification.objects.get(subject_ref=f"case:{case.pk}", template="case_received").context["track_url"]


@pytest.mark.parametrize("submit", [submit_by_api, submit_by_form], ids=["api", "form"])
def test_the_receipt_links_to_the_site_the_case_was_sent_from(client, sites, reference_data, submit):
    from_hanoi = submit(client, HANOI, land_question(reference_data))
    from_parent = submit(client, PARENT, land_question(reference_data))

    assert from_hanoi.site == sites["hanoi"] and from_parent.site == sites["parent"]
    assert receipt_link(from_hanoi) == f"https://hanoi.test/track/?code={from_hanoi.tracking_code}"
    assert receipt_link(from_parent) == f"https://congthongtin.test/track/?code={from_parent.tracking_code}"


def test_late_updates_link_to_the_site_and_fall_back_when_it_is_switched_off(client, sites, reference_data):
    with time_machine.travel(dt.datetime(2026, 5, 31, 9, tzinfo=VN), tick=False):  # feedback due 22 June
        case = submit_by_api(client, HANOI, land_question(reference_data))
        other = submit_by_api(client, HANOI, land_question(reference_data))
    Case.objects.filter(pk=other.pk).update(due_at=case.due_at + dt.timedelta(days=7))

    deadline_sweep(now=dt.datetime(2026, 6, 29, 9, tzinfo=VN))  # case: 7 days late
    Portal.objects.filter(pk=sites["hanoi"].pk).update(is_active=False)
    Portal.objects.get(pk=sites["parent"].pk).save()  # a save tells every process's copy of the sites
    deadline_sweep(now=dt.datetime(2026, 7, 6, 9, tzinfo=VN))  # case: 14 days late; other: 7

    links = {
        (n.subject_ref, n.context["days_late"]): n.context["track_url"]
        for n in Notification.objects.filter(template="late_status_update")
    }
    assert links == {
        (f"case:{case.pk}", 7): f"https://hanoi.test/track/?code={case.tracking_code}",
        (f"case:{case.pk}", 14): f"https://congthongtin.test/track/?code={case.tracking_code}",
        (f"case:{other.pk}", 7): f"https://congthongtin.test/track/?code={other.tracking_code}",
    }


def test_the_staff_page_names_the_site(api, sites, reference_data, personas):
    case = submit_by_api(api, HANOI, land_question(reference_data))
    api.force_login(personas["official_a"])

    page = api.get(f"/staff/cases/{case.pk}/", HTTP_HOST=PARENT, HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    assert "Gửi từ trang" in page and "Cổng Hà Nội" in page and "(hanoi.test)" in page
