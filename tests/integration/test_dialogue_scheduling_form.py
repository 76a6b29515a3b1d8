"""The scheduling form works on a phone: people are ticked from a list of names (no Ctrl-click multi-select,
no "---------", no usernames), a start in the past is an error beside the field, and the video link given is
shown in the room."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.dialogues.models import Dialogue
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def leader(personas):
    leader = personas["leader"]
    leader.first_name, leader.last_name = "Thanh", "Trần Sỹ"  # the full name puts the family name first
    leader.save(update_fields=["first_name", "last_name"])
    client = Client()
    client.force_login(leader)
    return client


def form(personas, reference_data, start: dt.datetime, **extra) -> dict:
    return {
        "title": "Đối thoại về chuyển đổi số",
        "description": "",
        "agency": reference_data["agencies"]["UBND-HN"].pk,
        "area": reference_data["areas"]["tinh-01"].pk,
        "hosts": [personas["leader"].pk],
        "moderators": [personas["moderator"].pk],
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "stream_url": "https://video.example.org/doi-thoai",
        **extra,
    }


def test_people_are_ticked_by_name_without_dashes_or_usernames(leader, personas):
    html = leader.get(reverse("dialogues:schedule")).content.decode()
    assert "---------" not in html
    assert "multiple" not in html  # no <select multiple>: Ctrl-click is impossible on a phone
    hosts = html[html.index('id="id_hosts"') : html.index('id="id_moderators"')]
    assert 'type="checkbox" name="hosts"' in hosts and "Trần Sỹ Thanh" in hosts
    assert ">leader<" not in hosts and "leader —" not in hosts  # the username is never shown
    assert "data-people-search" in hosts


@time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=VN), tick=False)
def test_a_start_in_the_past_is_an_error_beside_the_field(leader, personas, reference_data):
    response = leader.post(reverse("dialogues:schedule"), form(personas, reference_data, dt.datetime(2026, 12, 1, 9)))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_starts_at"' in html and 'id="id_starts_at-error"' in html
    assert "The start must be in the future." in html and 'id="short-notice"' not in html
    assert "Đối thoại về chuyển đổi số" in html  # nothing typed is lost
    assert not Dialogue.objects.exists()


@time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=VN), tick=False)
def test_the_video_link_and_area_are_kept_and_the_link_is_shown_in_the_room(leader, personas, reference_data):
    response = leader.post(reverse("dialogues:schedule"), form(personas, reference_data, dt.datetime(2026, 12, 21, 9)))
    assert response.status_code == 302
    dialogue = Dialogue.objects.get()
    assert dialogue.area == reference_data["areas"]["tinh-01"]
    room = Client().get(reverse("dialogues:detail", args=[dialogue.pk])).content.decode()
    assert 'href="https://video.example.org/doi-thoai"' in room
