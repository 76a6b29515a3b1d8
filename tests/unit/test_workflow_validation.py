"""Bad workflow files are refused with a message naming the file, the line and the field."""

import shutil
from pathlib import Path

import pytest
from caunoi.workflows.checks import check_workflows
from caunoi.workflows.loader import WorkflowError, load_workflows
from django.conf import settings

SHIPPED = Path(settings.WORKFLOWS_DIR)


@pytest.fixture
def workflows_copy(tmp_path) -> Path:
    root = tmp_path / "workflows"
    shutil.copytree(SHIPPED, root)
    return root


def problems_after(root: Path, relative: str, old: str, new: str) -> list[str]:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(WorkflowError) as raised:
        load_workflows(root)
    return [str(p) for p in raised.value.problems]


def line_of(root: Path, relative: str, needle: str) -> int:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_the_shipped_workflows_are_valid():
    loaded = load_workflows(SHIPPED)
    assert loaded.lifecycle.initial == "received"
    assert {"question", "feedback", "petition"} <= loaded.deadline_policy.kinds.keys()
    assert loaded.routing.fallback_agency == "VPCP-TIEPNHAN"


def test_unknown_case_kind_in_a_routing_rule_names_file_line_and_field(workflows_copy):
    problems = problems_after(
        workflows_copy, "routing/v1.yaml", "kind: [feedback, petition, question]", "kind: [feedback, complaint]"
    )
    line = line_of(workflows_copy, "routing/v1.yaml", "complaint")
    assert len(problems) == 1
    assert problems[0].startswith(f"workflows/routing/v1.yaml, line {line}, field rules[6].match.kind[1]:")
    assert "'complaint' is not one of" in problems[0]


def test_missing_required_field_is_reported_at_its_parent(workflows_copy):
    problems = problems_after(workflows_copy, "deadlines/v1.yaml", "    days: 15\n", "")
    line = line_of(workflows_copy, "deadlines/v1.yaml", "question:")
    assert problems == [
        f"workflows/deadlines/v1.yaml, line {line}, field kinds.question: 'days' is a required property"
    ]


def test_transition_to_an_undefined_state(workflows_copy):
    problems = problems_after(workflows_copy, "case-lifecycle/v1.yaml", "to: answered", "to: answerd")
    line = line_of(workflows_copy, "case-lifecycle/v1.yaml", "answerd")
    assert problems == [
        f"workflows/case-lifecycle/v1.yaml, line {line}, field transitions.approve.to: names unknown state 'answerd'"
    ]


def test_a_state_the_code_relies_on_must_exist(workflows_copy):
    problems = problems_after(workflows_copy, "case-lifecycle/v1.yaml", "  waiting_citizen:", "  waiting_for_citizen:")
    assert any("must define state 'waiting_citizen'" in p for p in problems)


def test_version_must_match_the_file_name(workflows_copy):
    problems = problems_after(workflows_copy, "routing/v1.yaml", "version: 1", "version: 2")
    assert problems == ["workflows/routing/v1.yaml, line 5, field version: says 2 but the file is v1.yaml"]


def test_yaml_syntax_error_names_the_line(workflows_copy):
    problems = problems_after(workflows_copy, "routing/v1.yaml", "rules:\n", "rules: [\n")
    assert len(problems) == 1
    assert problems[0].startswith("workflows/routing/v1.yaml, line ")
    assert "(syntax)" in problems[0]


def test_duplicate_rule_ids(workflows_copy):
    problems = problems_after(workflows_copy, "routing/v1.yaml", "id: hanoi-pollution", "id: hanoi-land")
    assert len(problems) == 1
    assert "rule id 'hanoi-land' is used twice" in problems[0]


def calendar_problems(root: Path, entry: str) -> list[str]:
    (root / "calendars" / "2027.yaml").write_text(
        f"year: 2027\ndays_off:\n  - {entry}\nworking_days: []\n", encoding="utf-8"
    )
    with pytest.raises(WorkflowError) as raised:
        load_workflows(root)
    return [str(p) for p in raised.value.problems]


def test_calendar_date_outside_its_year(workflows_copy):
    problems = calendar_problems(workflows_copy, "{date: 2026-05-04, reason: {vi: 'Nghỉ bù', en: 'Day off'}}")
    assert problems == ["workflows/calendars/2027.yaml, line 3, field days_off[0].date: 2026-05-04 is not in 2027"]


def test_calendar_impossible_date(workflows_copy):
    problems = calendar_problems(workflows_copy, "{date: 2027-02-30, reason: {vi: 'Nghỉ bù', en: 'Day off'}}")
    assert problems == ["workflows/calendars/2027.yaml, line 3, field days_off[0].date: '2027-02-30' is not a 'date'"]


def test_calendar_entry_without_english_reason(workflows_copy):
    problems = calendar_problems(workflows_copy, "{date: 2027-05-04, reason: {vi: 'Nghỉ bù'}}")
    assert problems == ["workflows/calendars/2027.yaml, line 3, field days_off[0].reason: 'en' is a required property"]


def test_the_system_check_reports_each_problem(workflows_copy, settings):
    (workflows_copy / "routing" / "v1.yaml").write_text("version: 1\nrules: []\n", encoding="utf-8")
    settings.WORKFLOWS_DIR = workflows_copy
    try:
        errors = check_workflows()
        assert [e.id for e in errors] == ["workflows.E001"]
        assert (
            "workflows/routing/v1.yaml, line 1, field (top level): 'fallback' is a required property" in errors[0].msg
        )
    finally:
        settings.WORKFLOWS_DIR = SHIPPED
        check_workflows()


def test_a_bad_file_stops_start_up(workflows_copy, tmp_path):
    import os
    import subprocess
    import sys

    (workflows_copy / "deadlines" / "v1.yaml").write_text("version: 1\nkinds: {}\nforwarding: {}\n", encoding="utf-8")
    env = {**os.environ, "WORKFLOWS_DIR": str(workflows_copy)}
    result = subprocess.run(
        [sys.executable, str(settings.BACKEND_DIR / "manage.py"), "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "workflows/deadlines/v1.yaml, line 2, field kinds: 'question' is a required property" in result.stderr


def test_the_appeal_stage_is_in_the_newest_lifecycle_and_deadline_policy():
    loaded = load_workflows(SHIPPED)
    appeal = loaded.deadline_policy.appeal
    assert appeal is not None and (appeal.window.days, appeal.handling.days) == (30, 30)
    assert "Luật Khiếu nại" in appeal.window.legal_basis
    assert appeal.route_to == "answering_agency"
    assert loaded.lifecycle.transitions["appeal"].sources == frozenset({"answered"})
    assert loaded.lifecycle.transitions["appeal"].target == "appealed"
    assert "appealed" in loaded.lifecycle.transitions["claim"].sources
    assert loaded.deadlines[1].appeal is None  # released versions do not change


def test_an_unknown_appeal_route_is_refused_with_its_line(workflows_copy):
    problems = problems_after(workflows_copy, "deadlines/v3.yaml", "route_to: answering_agency", "route_to: mayor")
    line = line_of(workflows_copy, "deadlines/v3.yaml", "route_to: mayor")
    assert len(problems) == 1
    assert problems[0].startswith(f"workflows/deadlines/v3.yaml, line {line}, field appeal.route_to:")


def test_appeal_reminders_must_fall_inside_the_appeal_period(workflows_copy):
    problems = problems_after(
        workflows_copy, "deadlines/v3.yaml", "reminder_days_before: [3, 1]\n  #", "reminder_days_before: [30, 1]\n  #"
    )
    assert len(problems) == 1 and "appeal.handling.reminder_days_before[0]" in problems[0]
