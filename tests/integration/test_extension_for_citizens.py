"""An extension tells the citizen in plain words and shows on the track page, which cites the legal period and
the extension separately: never the extended total as the legal period."""

import datetime as dt

import pytest
import time_machine
from caunoi.cases.services import case_extend
from caunoi.notifications.models import Notification
from caunoi.notifications.rendering import render_message

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def extended(personas, reference_data):
    with time_machine.travel(dt.datetime(2026, 6, 8, 9, tzinfo=VN), tick=False):  # due 29 June
        case, token = submit_case()
    with time_machine.travel(dt.datetime(2026, 6, 22, 9, tzinfo=VN), tick=False):
        case_extend(case=case, by=personas["leader"], days=5, reason="Cần xác minh thực địa")
    case.refresh_from_db()
    return case, token


def test_the_citizen_is_told_of_an_extension_in_plain_words(extended):
    case, _ = extended
    [message] = Notification.objects.filter(template="case_extended")
    assert message.recipient == "nguoi-dan@example.org"
    assert message.context["due_date"] == "2026-07-06"
    assert (message.context["days"], message.context["legal_days"]) == (5, 15)
    for language, words in {
        "vi": ["06/07/2026", "Cần xác minh thực địa", "15 ngày làm việc", "thêm 5 ngày làm việc"],
        "en": ["06/07/2026", "Cần xác minh thực địa", "15 working days", "5 more working days"],
    }.items():
        rendered = render_message(template="case_extended", context=message.context, language=language)
        assert case.tracking_code in rendered.subject
        for word in words:
            assert word in rendered.body, (language, word, rendered.body)


def test_the_track_page_cites_the_legal_period_and_the_extension_separately(extended, web):
    case, token = extended
    with time_machine.travel(dt.datetime(2026, 6, 23, 9, tzinfo=VN), tick=False):
        first = web.get(f"/track/{case.tracking_code}/", {"token": token}, HTTP_ACCEPT_LANGUAGE="vi")
        page = web.get(first["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "20 ngày làm việc" not in page  # the extended total is not the legal period
    assert "15 ngày làm việc" in page
    assert "gia hạn thêm 5 ngày làm việc" in page
    assert "06/07/2026" in page


def test_the_staff_explanation_keeps_the_legal_period_apart(extended):
    case, _ = extended
    due = case.due_explanation["en"]
    assert (due["legal_days"], due["extension_days"], due["days"]) == (15, 5, 20)
