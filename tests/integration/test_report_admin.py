"""Admin configuration: the CSV import of agencies and areas (dry run with line numbers, all or nothing,
progress), calendar overrides that move due dates, the workflow versions page, searchable lists."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.agencies.importing import agency_import_run, import_apply, import_check, import_job_status
from caunoi.agencies.models import Agency, Area
from caunoi.cases.models import EventType
from caunoi.deadlines.models import CalendarOverride
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    # These tests read messages in English (the message ids); pages default to Vietnamese otherwise.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


VN = dt.timezone(dt.timedelta(hours=7))
HEADER = "type,code,name,name_en,parent,level\n"
GOOD = HEADER + (
    "agency,SO-YT-HN,Sở Y tế Hà Nội,Ha Noi Department of Health,UBND-HN,department\n"
    "agency,PHONG-KHTC,Phòng Kế hoạch - Tài chính,,SO-YT-HN,unit\n"
    "area,xa-99999,Phường Thử,,tinh-01,commune\n"
    "agency,UBND-P-BADINH,Ủy ban nhân dân phường Ba Đình (mới),,UBND-HN,commune\n"
)
BAD = HEADER + (
    "agency,SO-YT-HN,Sở Y tế Hà Nội,,UBND-HN,department\n"  # line 2: fine
    "office,X1,Tên,,,unit\n"  # line 3: unknown type
    "agency,SO-YT-HN,Trùng mã,,UBND-HN,department\n"  # line 4: duplicate code
    "agency,PHONG-A,,,KHONG-CO,unit\n"  # line 5: empty name, unknown parent
    "area,xa-1,Xã,,tinh-01,village\n"  # line 6: unknown level
    "agency,LOOP-A,A,,LOOP-B,unit\n"  # line 7: loop
    "agency,LOOP-B,B,,LOOP-A,unit\n"  # line 8: loop
)


@pytest.fixture
def admin_client(web, personas):
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    web.force_login(admin)
    return web


def test_the_dry_run_reports_every_bad_row_with_its_line(reference_data):
    check = import_check(BAD)
    assert not check.ok
    lines = [line for line, _message in check.errors]
    assert lines == [3, 4, 5, 5, 6, 7, 8]
    messages = dict(check.errors)
    assert "office" in messages[3] and "line 2" in messages[4] and "loop" in messages[7]
    assert "Missing columns" in import_check("code,name\nA,B\n").errors[0][1]


def test_a_bad_file_imports_nothing_through_the_admin(reference_data, admin_client):
    before = (Agency.objects.count(), Area.objects.count())
    upload = SimpleUploadedFile("tree.csv", BAD.encode(), content_type="text/csv")
    response = admin_client.post("/admin/agencies/agency/import/", {"file": upload, "mode": "import"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<td>3</td>" in page and "<td>8</td>" in page
    assert (Agency.objects.count(), Area.objects.count()) == before


def test_a_good_file_is_checked_then_imported_with_progress(
    reference_data, admin_client, django_capture_on_commit_callbacks, monkeypatch
):
    dry = admin_client.post(
        "/admin/agencies/agency/import/", {"file": SimpleUploadedFile("t.csv", GOOD.encode()), "mode": "check"}
    )
    assert dry.status_code == 200 and "3 to create and 1 to update" in dry.content.decode()
    assert not Agency.objects.filter(code="SO-YT-HN").exists()

    dispatched: list[str] = []
    monkeypatch.setattr(agency_import_run, "delay", lambda job_id: dispatched.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/agencies/agency/import/", {"file": SimpleUploadedFile("t.csv", GOOD.encode()), "mode": "import"}
        )
    [job_id] = dispatched
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{job_id}/")
    queued = admin_client.get(response["Location"]).content.decode()
    assert '<progress id="import-progress" max="4" value="0">' in queued and 'http-equiv="refresh"' in queued

    agency_import_run(job_id)  # what the worker runs
    assert import_job_status(job_id) == {"state": "done", "done": 4, "total": 4, "error": ""}
    finished = admin_client.get(response["Location"]).content.decode()
    assert 'value="4"' in finished and 'http-equiv="refresh"' not in finished
    assert admin_client.get(f"{response['Location']}status.json").json()["state"] == "done"
    unit = Agency.objects.get(code="PHONG-KHTC")
    health = Agency.objects.get(code="SO-YT-HN")
    assert unit.path == f"{health.path}{unit.pk}/" and health.parent.code == "UBND-HN"
    assert Area.objects.get(code="xa-99999").parent.code == "tinh-01"
    assert Agency.objects.get(code="UBND-P-BADINH").name.endswith("(mới)")


def test_an_import_that_fails_midway_leaves_nothing(reference_data, monkeypatch):
    check = import_check(GOOD)
    original = Agency.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Agency, "save", failing_save)
    with pytest.raises(RuntimeError):
        import_apply(check.rows)
    assert not Agency.objects.filter(code="SO-YT-HN").exists()


def test_only_staff_with_rights_reach_the_import(reference_data, web, personas):
    web.force_login(personas["leader"])  # not staff
    assert web.get("/admin/agencies/agency/import/").status_code == 302  # to the admin login


def test_an_override_added_in_the_admin_moves_due_dates(reference_data, admin_client):
    with time_machine.travel(dt.datetime(2026, 10, 1, 10, tzinfo=VN), tick=False):
        case, _token = submit_case()
        before = case.due_at
        response = admin_client.post(
            "/admin/deadlines/calendaroverride/add/",
            {"day": "2026-10-05", "kind": "day_off", "reason_vi": "Nghỉ bù", "reason_en": "Day off in lieu"},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.due_at - before == dt.timedelta(days=1)
        assert case.events.filter(type=EventType.DEADLINE_RECOMPUTED).count() == 1
        override = CalendarOverride.objects.get(day=dt.date(2026, 10, 5))
        assert override.source == "admin"
        admin_client.post(f"/admin/deadlines/calendaroverride/{override.pk}/delete/", {"post": "yes"})
        case.refresh_from_db()
        assert case.due_at == before


def test_admin_lists_are_searchable_and_the_workflows_page_reads_the_files(reference_data, admin_client, personas):
    assert "SO-NNMT-HN" in admin_client.get("/admin/agencies/agency/", {"q": "SO-NNMT"}).content.decode()
    assert "official-a" in admin_client.get("/admin/agencies/membership/", {"q": "SO-NNMT-HN"}).content.decode()
    assert admin_client.get("/admin/cases/answertemplate/", {"q": "x"}).status_code == 200
    assert "official-b" in admin_client.get("/admin/accounts/user/", {"q": "official"}).content.decode()
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200
    page = admin_client.get("/admin/workflows/versions/").content.decode()
    assert "hanoi-land" in page and "Nghị định 43/2011" in page
