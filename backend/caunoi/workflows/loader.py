"""Loads /workflows: every YAML file is checked against its JSON Schema, then for consistency.

Each problem is reported as "file, line N, field F: message", and loading fails if there is any, so a bad
file stops start-up (see checks.py) instead of misrouting cases later.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from caunoi.core.text import vn_fold

from .types import (
    Action,
    AppealPolicy,
    CalendarEntry,
    DeadlinePolicy,
    Lifecycle,
    Period,
    PublicationPolicy,
    RoutingRule,
    RoutingRules,
    State,
    SuggestionsPolicy,
    Transition,
    WorkflowSet,
)
from .yaml_lines import Path_, dotted, line_of, load_with_lines

CASE_KINDS = ("question", "feedback", "petition")

# States and transitions the code refers to by name; every lifecycle version must define them.
STATES_USED_BY_CODE = frozenset({"received", "in_progress", "waiting_citizen", "answered", "rejected"})
TRANSITIONS_USED_BY_CODE = frozenset(
    {"claim", "assign", "request_info", "citizen_reply", "submit_for_review", "approve", "return", "transfer", "reject"}
)
ACTIONS_USED_BY_CODE = frozenset({"note", "draft", "extend", "link_duplicate", "split"})

_VERSION_FILE = re.compile(r"^v(\d+)\.ya?ml$")
_YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}, field {self.field}: {self.message}"


class WorkflowError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Document:
    """One parsed file, able to report problems at the line of any path inside it."""

    def __init__(self, path: Path, root: Path, problems: list[Problem]) -> None:
        self.name = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
        self.problems = problems
        self.lines: dict[Path_, int] = {}
        self.data: Any = None
        try:
            self.data, self.lines = load_with_lines(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problems.append(Problem(self.name, line, "(syntax)", str(getattr(exc, "problem", exc))))

    def report(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.name, line_of(self.lines, path), dotted(path), message))

    def validate(self, schema: dict[str, Any]) -> bool:
        if self.problems_for_me():
            return False  # unreadable: a syntax error is already reported
        if self.data is None:
            self.report((), "the file is empty")
            return False
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(self.data), key=lambda e: list(map(str, e.absolute_path)))
        for error in errors:
            self.report(tuple(error.absolute_path), error.message)
        return not errors and not self.problems_for_me()

    def problems_for_me(self) -> bool:
        return any(p.file == self.name for p in self.problems)


def _schema(root: Path, name: str) -> dict[str, Any]:
    return json.loads((root / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def _versioned_files(root: Path, folder: str, problems: list[Problem]) -> list[tuple[int, Path]]:
    directory = root / folder
    found = []
    for path in sorted(directory.glob("*.y*ml")):
        match = _VERSION_FILE.match(path.name)
        if not match:
            problems.append(Problem(f"{root.name}/{folder}/{path.name}", None, "(file name)", "must be named vN.yaml"))
            continue
        found.append((int(match.group(1)), path))
    if not found:
        problems.append(Problem(f"{root.name}/{folder}", None, "(folder)", "holds no vN.yaml version"))
    return found


def _load_versions(
    root: Path, folder: str, schema_name: str, build: Callable[[_Document], Any], problems: list[Problem]
) -> dict[int, Any]:
    schema = _schema(root, schema_name)
    versions: dict[int, Any] = {}
    for number, path in _versioned_files(root, folder, problems):
        document = _Document(path, root, problems)
        if not document.validate(schema):
            continue
        if document.data["version"] != number:
            document.report(("version",), f"says {document.data['version']} but the file is v{number}.yaml")
            continue
        before = len(problems)
        built = build(document)
        if len(problems) == before:
            versions[number] = built
    return versions


def _build_lifecycle(doc: _Document) -> Lifecycle:
    data = doc.data
    states = {
        name: State(
            name,
            spec["label"]["vi"],
            spec["label"]["en"],
            spec["clock"],
            spec.get("final", False),
            spec.get("staff_label", {}).get("vi", ""),
            spec.get("staff_label", {}).get("en", ""),
        )
        for name, spec in data["states"].items()
    }
    if data["initial"] not in states:
        doc.report(("initial",), f"names state {data['initial']!r}, which is not defined under states")
    for missing in sorted(STATES_USED_BY_CODE - states.keys()):
        doc.report(("states",), f"must define state {missing!r} (the application refers to it)")
    transitions = {}
    for name, spec in data["transitions"].items():
        for index, source in enumerate(spec["from"]):
            if source not in states:
                doc.report(("transitions", name, "from", index), f"names unknown state {source!r}")
        if spec["to"] not in states:
            doc.report(("transitions", name, "to"), f"names unknown state {spec['to']!r}")
        transitions[name] = Transition(name, frozenset(spec["from"]), spec["to"], frozenset(spec["roles"]))
    for missing in sorted(TRANSITIONS_USED_BY_CODE - transitions.keys()):
        doc.report(("transitions",), f"must define transition {missing!r} (the application refers to it)")
    actions = {}
    for name, spec in data["actions"].items():
        for index, state in enumerate(spec["in"]):
            if state not in states:
                doc.report(("actions", name, "in", index), f"names unknown state {state!r}")
        if name in transitions:
            doc.report(("actions", name), f"{name!r} is already a transition")
        actions[name] = Action(name, frozenset(spec["in"]), frozenset(spec["roles"]))
    for missing in sorted(ACTIONS_USED_BY_CODE - actions.keys()):
        doc.report(("actions",), f"must define action {missing!r} (the application refers to it)")
    return Lifecycle(data["version"], data["initial"], states, transitions, actions)


def _build_routing(doc: _Document) -> RoutingRules:
    data = doc.data
    seen: set[str] = set()
    rules = []
    for index, spec in enumerate(data["rules"]):
        if spec["id"] in seen:
            doc.report(("rules", index, "id"), f"rule id {spec['id']!r} is used twice")
        seen.add(spec["id"])
        match = spec["match"]
        rules.append(
            RoutingRule(
                id=spec["id"],
                description=spec.get("description", ""),
                agency=spec["agency"],
                kinds=frozenset(match.get("kind", ())),
                categories=frozenset(match.get("category", ())),
                areas=frozenset(match.get("area", ())),
                keywords=tuple(vn_fold(k).strip() for k in match.get("keywords", ())),
                channels=frozenset(match.get("channel", ())),
            )
        )
    fallback = data["fallback"]
    return RoutingRules(data["version"], fallback["agency"], fallback.get("description", ""), tuple(rules))


def _period(spec: dict[str, Any]) -> Period:
    return Period(
        days=spec["days"],
        unit=spec["unit"],
        legal_basis=spec["legal_basis"],
        reminder_days_before=tuple(spec.get("reminder_days_before", ())),
        late_status_update_every_days=spec.get("late_status_update_every_days"),
    )


def _build_deadlines(doc: _Document) -> DeadlinePolicy:
    data = doc.data
    for kind, spec in data["kinds"].items():
        for index, before in enumerate(spec.get("reminder_days_before", ())):
            if before >= spec["days"]:
                doc.report(("kinds", kind, "reminder_days_before", index), "must be fewer days than the period")
    appeal = data.get("appeal")
    if appeal:
        for index, before in enumerate(appeal["handling"].get("reminder_days_before", ())):
            if before >= appeal["handling"]["days"]:
                doc.report(("appeal", "handling", "reminder_days_before", index), "must be fewer days than the period")
    return DeadlinePolicy(
        version=data["version"],
        kinds={kind: _period(spec) for kind, spec in data["kinds"].items()},
        forwarding=_period(data["forwarding"]),
        escalation_target=data.get("escalation", {}).get("target", "parent_agency_leaders"),
        escalation_every_working_days=data.get("escalation", {}).get("climb_every_working_days"),
        escalation_legal_basis=data.get("escalation", {}).get("legal_basis", ""),
        appeal=AppealPolicy(
            window=_period(appeal["window"]),
            handling=_period(appeal["handling"]),
            route_to=appeal.get("route_to", "answering_agency"),
        )
        if appeal
        else None,
    )


def _build_publication(doc: _Document) -> PublicationPolicy:
    data = doc.data
    return PublicationPolicy(
        version=data["version"],
        auto_publish=dict(data["auto_publish"]),
        agencies={code: dict(kinds) for code, kinds in (data.get("agencies") or {}).items()},
    )


def _build_suggestions(doc: _Document) -> SuggestionsPolicy:
    auto = doc.data["auto_route"]
    return SuggestionsPolicy(
        version=doc.data["version"],
        auto_route=auto["enabled"],
        min_confidence=float(auto["min_confidence"]),
        from_agencies=tuple(auto["from_agencies"]),
    )


def _load_calendars(root: Path, problems: list[Problem]) -> tuple[CalendarEntry, ...]:
    schema = _schema(root, "calendar")
    entries: dict[dt.date, CalendarEntry] = {}
    for path in sorted((root / "calendars").glob("*.y*ml")):
        match = _YEAR_FILE.match(path.name)
        document = _Document(path, root, problems)
        if not match:
            document.report((), "calendar files must be named YEAR.yaml")
            continue
        if not document.validate(schema):
            continue
        year = int(match.group(1))
        if document.data["year"] != year:
            document.report(("year",), f"says {document.data['year']} but the file is {path.name}")
            continue
        for kind, key in (("day_off", "days_off"), ("working_day", "working_days")):
            for index, spec in enumerate(document.data[key]):
                where = (key, index, "date")
                try:
                    day = dt.date.fromisoformat(spec["date"])
                except ValueError:
                    document.report(where, f"{spec['date']!r} is not a date")
                    continue
                if day.year != year:
                    document.report(where, f"{day} is not in {year}")
                elif day in entries:
                    document.report(where, f"{day} is listed twice")
                else:
                    entries[day] = CalendarEntry(day, kind, spec["reason"]["vi"], spec["reason"]["en"])
    return tuple(sorted(entries.values(), key=lambda e: e.day))


def load_workflows(root: Path) -> WorkflowSet:
    """Loads and validates every workflow file under `root`. Raises WorkflowError listing every problem."""
    problems: list[Problem] = []
    if not root.is_dir():
        raise WorkflowError([Problem(str(root), None, "(folder)", "the workflows folder does not exist")])
    lifecycles = _load_versions(root, "case-lifecycle", "case-lifecycle", _build_lifecycle, problems)
    routings = _load_versions(root, "routing", "routing", _build_routing, problems)
    deadlines = _load_versions(root, "deadlines", "deadlines", _build_deadlines, problems)
    calendar = _load_calendars(root, problems)
    publications = _load_versions(root, "publication", "publication", _build_publication, problems)
    suggestions = _load_versions(root, "suggestions", "suggestions", _build_suggestions, problems)
    if problems:
        raise WorkflowError(problems)
    return WorkflowSet(lifecycles, routings, deadlines, calendar, publications, suggestions)
