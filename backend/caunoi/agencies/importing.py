"""Importing the agency tree and the administrative areas from a CSV file (Django admin).

Columns, with a header row: `type` (agency | area), `code`, `name`, `name_en` (optional), `parent` (the
code of a node of the same type, in the database or earlier or later in the file; empty for a root), and
`level` (for an agency: national, ministry, province, department, commune, unit; for an area: country,
province, commune). A row whose code exists updates that node (name, parent, level); others are created.

`import_check` reads the whole file and reports every bad row with its line number; `import_apply` runs
only on a file without errors, in one transaction, so a file is imported entirely or not at all. The real
import runs in a Celery task (`agency_import_run`) that writes its progress to Redis, where the admin page
reads it.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils.translation import gettext as _

from caunoi.core.redis_client import redis_client

from .models import Agency, Area, TreeNode

COLUMNS = ("type", "code", "name", "name_en", "parent", "level")
REQUIRED_COLUMNS = frozenset({"type", "code", "name", "parent", "level"})
MAX_ROWS = 20_000
MODELS: dict[str, type[TreeNode]] = {"agency": Agency, "area": Area}
LEVELS = {"agency": frozenset(Agency.Level.values), "area": frozenset(Area.Kind.values)}
JOB_TTL = 24 * 3600


@dataclass(frozen=True)
class Row:
    line: int
    type: str
    code: str
    name: str
    name_en: str
    parent: str
    level: str


@dataclass
class ImportCheck:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)
    creates: int = 0
    updates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def import_check(text: str) -> ImportCheck:
    """Validates the whole file; every problem is reported with the line it is on. Reads the database only."""
    check = ImportCheck()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {name.strip() for name in (reader.fieldnames or [])}
    missing = REQUIRED_COLUMNS - header
    if missing:
        check.errors.append((1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}))
        return check
    seen: dict[tuple[str, str], int] = {}
    for record in reader:
        line = reader.line_num
        values = {key.strip(): (value or "").strip() for key, value in record.items() if key}
        row = Row(line, *(values.get(column, "") for column in COLUMNS))
        if len(check.rows) >= MAX_ROWS:
            check.errors.append((line, _("A file may have at most %(count)d rows.") % {"count": MAX_ROWS}))
            break
        problems = _row_problems(row)
        key = (row.type, row.code)
        if row.code and key in seen:
            problems.append(_("Code %(code)s is already on line %(line)d.") % {"code": row.code, "line": seen[key]})
        seen.setdefault(key, line)
        check.errors.extend((line, problem) for problem in problems)
        check.rows.append(row)
    if not check.rows and not check.errors:
        check.errors.append((1, _("The file has no rows.")))
    _check_parents(check)
    return check


def _row_problems(row: Row) -> list[str]:
    problems = []
    if row.type not in MODELS:
        problems.append(_("Type must be “agency” or “area”, not “%(value)s”.") % {"value": row.type})
    if not row.code:
        problems.append(_("The code is empty."))
    elif len(row.code) > 40 or not row.code.replace("-", "").replace("_", "").isalnum():
        problems.append(_("A code has at most 40 letters, digits, hyphens or underscores."))
    if not row.name:
        problems.append(_("The name is empty."))
    elif len(row.name) > 255 or len(row.name_en) > 255:
        problems.append(_("A name has at most 255 characters."))
    if row.type in LEVELS and row.level not in LEVELS[row.type]:
        allowed = ", ".join(sorted(LEVELS[row.type]))
        problems.append(
            _("Unknown level “%(value)s”; use one of: %(allowed)s.") % {"value": row.level, "allowed": allowed}
        )
    if row.parent and row.parent == row.code:
        problems.append(_("A node cannot be its own parent."))
    return problems


def _check_parents(check: ImportCheck) -> None:
    """Every parent must exist (in the file or the database), and the file must not make a cycle."""
    for type_, model in MODELS.items():
        rows = [row for row in check.rows if row.type == type_]
        if not rows:
            continue
        in_file = {row.code: row for row in rows}
        stored = dict(model._default_manager.values_list("code", "parent__code"))
        for row in rows:
            if row.parent and row.parent not in in_file and row.parent not in stored:
                check.errors.append((row.line, _("Parent %(code)s does not exist.") % {"code": row.parent}))
                continue
            if _makes_cycle(row, in_file, stored):
                check.errors.append((row.line, _("Parent %(code)s would make a loop.") % {"code": row.parent}))
        check.creates += sum(1 for row in rows if row.code not in stored)
        check.updates += sum(1 for row in rows if row.code in stored)
    check.errors.sort()


def _makes_cycle(row: Row, in_file: dict[str, Row], stored: dict[str, str | None]) -> bool:
    seen, code = {row.code}, row.parent
    while code:
        if code in seen:
            return True
        seen.add(code)
        code = in_file[code].parent if code in in_file else (stored.get(code) or "")
    return False


def _ordered(rows: list[Row]) -> list[Row]:
    """Parents before their children (within each type), so each save finds its parent's path."""
    by_code = {(row.type, row.code): row for row in rows}
    depth: dict[tuple[str, str], int] = {}

    def depth_of(key: tuple[str, str]) -> int:
        if key not in depth:
            row = by_code[key]
            parent = (row.type, row.parent)
            depth[key] = depth_of(parent) + 1 if row.parent and parent in by_code else 0
        return depth[key]

    return sorted(rows, key=lambda row: (row.type, depth_of((row.type, row.code)), row.line))


def import_apply(rows: list[Row], progress: Callable[[int], None] = lambda done: None) -> int:
    """Creates or updates every row in one transaction; calls `progress(done)` every 50 rows. The rows must
    come from an `import_check` without errors."""
    ordered = _ordered(rows)
    with transaction.atomic():
        nodes: dict[tuple[str, str], TreeNode] = {}
        for done, row in enumerate(ordered, start=1):
            model = MODELS[row.type]
            node = nodes.get((row.type, row.code)) or model._default_manager.filter(code=row.code).first()
            if node is None:
                node = model(code=row.code)
            parent = None
            if row.parent:
                parent = nodes.get((row.type, row.parent)) or model._default_manager.get(code=row.parent)
            node.name, node.name_en, node.parent = row.name, row.name_en, parent
            setattr(node, "level" if row.type == "agency" else "kind", row.level)
            node.save()
            nodes[(row.type, row.code)] = node
            if done % 50 == 0:
                progress(done)
        progress(len(ordered))
    return len(ordered)


# --- The background job and its progress --------------------------------------------------------------


def _key(job_id: str) -> str:
    return f"agency-import:{job_id}"


def import_job_start(text: str, *, total: int) -> str:
    """Stores the file and a progress record in Redis; the caller dispatches `agency_import_run` after
    commit. Returns the job id."""
    job_id = uuid.uuid4().hex
    client = redis_client()
    client.set(f"{_key(job_id)}:file", text.encode(), ex=JOB_TTL)
    _write(job_id, {"state": "queued", "done": 0, "total": total, "error": ""})
    return job_id


def import_job_status(job_id: str) -> dict[str, Any] | None:
    raw = redis_client().get(_key(job_id))
    return json.loads(raw) if raw else None


def _write(job_id: str, status: dict[str, Any]) -> None:
    redis_client().set(_key(job_id), json.dumps(status), ex=JOB_TTL)


@shared_task(name="caunoi.agencies.importing.agency_import_run")
def agency_import_run(job_id: str) -> None:
    """Imports the file stored for `job_id`, writing progress as it goes. Checks the file again first (the
    database may have changed since the dry run); a job already finished is not run again."""
    status = import_job_status(job_id)
    raw = redis_client().get(f"{_key(job_id)}:file")
    if status is None or raw is None or status["state"] in {"done", "failed"}:
        return
    check = import_check(raw if isinstance(raw, str) else bytes(raw).decode())
    if not check.ok:
        first_line, message = check.errors[0] if check.errors else (0, "")
        _write(job_id, {**status, "state": "failed", "error": f"{first_line}: {message}"})
        return
    total = len(check.rows)
    _write(job_id, {**status, "state": "running", "total": total})
    try:
        import_apply(
            check.rows, lambda done: _write(job_id, {**status, "state": "running", "done": done, "total": total})
        )
    except Exception as exc:  # the transaction rolled back: nothing was imported; say so on the page
        _write(job_id, {**status, "state": "failed", "error": str(exc)[:500]})
        raise
    _write(job_id, {**status, "state": "done", "done": total, "total": total})
