"""`make run`'s demo data holds one live and one scheduled dialogue, listed by the API, so a newcomer can watch
the room right after start-up; seeding again adds nothing."""

from __future__ import annotations

import pytest
from caunoi.devstack.supervisor import SETUP_STEPS
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def test_make_run_seeds_a_live_and_a_scheduled_dialogue():
    assert [name for name, _ in SETUP_STEPS][-2:] == ["seed_demo", "seed_demo_dialogues"]
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_dialogues", verbosity=0)
    call_command("seed_demo_dialogues", verbosity=0)

    listed = Client().get("/api/v1/dialogues/").json()
    assert sorted(d["state"] for d in listed) == ["live", "scheduled"]
    live = next(d for d in listed if d["state"] == "live")
    detail = Client().get(f"/api/v1/dialogues/{live['id']}/").json()
    assert {q["status"] for q in detail["questions"]} == {"approved", "answered"}
    assert detail["now_answering"] is not None
    room = Client().get(f"/dialogues/{live['id']}/").content.decode()
    assert "Khi nào khu tập thể Kim Liên được cấp sổ đỏ?" in room
