"""Rules a migration must follow to run on a live database without stopping the portal.

PostgreSQL takes an ACCESS EXCLUSIVE lock (blocking every read and write of the table) for most schema
changes; the ones below hold it for as long as they scan, rewrite or index the whole table. On a table of
millions of cases that is minutes of downtime, so they are written the lock-friendly way instead:

- an index on an existing table: AddIndexConcurrently / RemoveIndexConcurrently, in a non-atomic migration;
- a check constraint on an existing table: AddConstraintNotValid, then ValidateConstraint (which scans
  without blocking writes), both from django.contrib.postgres.operations;
- a unique constraint on an existing table: a unique index built concurrently first (then the constraint
  USING it in RunSQL), not AddConstraint;
- a column type change: a new column, a backfill in batches, a switch: never AlterField with another type;
- a NOT NULL column on an existing table: with a default (PostgreSQL 11+ adds it without a rewrite);
- raw SQL: CREATE INDEX only CONCURRENTLY.

Operations on a model created in the same migration are exempt (the table is new and empty). The migrate job
also sets a lock_timeout (deploy/entrypoint.sh), so a migration that must wait for a lock fails and is retried
instead of queueing every request behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.apps import apps as django_apps
from django.contrib.postgres import operations as pg_operations
from django.db import connection, models
from django.db.migrations import operations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

CREATE_INDEX = re.compile(r"\bCREATE\s+(UNIQUE\s+)?INDEX\b(?!\s+CONCURRENTLY)", re.I)


def problems(migration: Migration, state: ProjectState) -> Iterator[str]:
    """What is unsafe in `migration`, applied after `state` (the project state before it)."""
    created = {op.name_lower for op in migration.operations if isinstance(op, operations.CreateModel)}
    concurrent = (pg_operations.AddIndexConcurrently, pg_operations.RemoveIndexConcurrently)
    for operation in migration.operations:
        model = getattr(operation, "model_name_lower", None) or getattr(operation, "name_lower", None)
        existing = model not in created
        where = f"{migration.app_label}.{migration.name}: {operation.describe()}"
        if isinstance(operation, concurrent) and migration.atomic:
            yield f"{where}: a concurrent index needs `atomic = False` on the migration"
        elif isinstance(operation, operations.AddIndex | operations.RemoveIndex) and existing:
            if not isinstance(operation, concurrent):
                yield f"{where}: build or drop indexes of existing tables with (Add|Remove)IndexConcurrently"
        elif isinstance(operation, operations.AddConstraint) and existing:
            if isinstance(operation, pg_operations.AddConstraintNotValid):
                continue
            kind = "check" if isinstance(operation.constraint, models.CheckConstraint) else "unique"
            advice = {
                "check": "use AddConstraintNotValid, then ValidateConstraint",
                "unique": "build a unique index concurrently, then add the constraint USING it",
            }[kind]
            yield f"{where}: a {kind} constraint on an existing table locks it while it is checked; {advice}"
        elif isinstance(operation, operations.AlterField) and existing:
            before = state.apps.get_model(migration.app_label, operation.model_name)._meta.get_field(operation.name)
            after = operation.field.clone()
            after.set_attributes_from_name(operation.name)
            if before.db_type(connection) != after.db_type(connection):
                yield f"{where}: a column type change rewrites the table; add a new column and backfill it"
        elif isinstance(operation, operations.AddField) and existing:
            field = operation.field
            no_default = field.default is models.NOT_PROVIDED and field.db_default is models.NOT_PROVIDED
            if not field.null and no_default and not field.many_to_many:
                yield f"{where}: a NOT NULL column without a default fails or rewrites a full table"
        elif isinstance(operation, operations.RunSQL):
            for statement in _statements(operation.sql):
                if CREATE_INDEX.search(statement):
                    yield f"{where}: CREATE INDEX without CONCURRENTLY locks the table while it builds"


def unsafe_migrations(*, released: dict[str, set[str]]) -> list[str]:
    """Every problem in migrations not in `released` (app label → migration names already applied in
    production, which cannot be changed any more)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {config.label for config in django_apps.get_app_configs() if config.name.startswith("caunoi.")}
    found, seen, state = [], set(), ProjectState(real_apps=set())
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):  # dependencies first: one valid order for all apps
            if key in seen:
                continue
            seen.add(key)
            app_label, name = key
            migration = loader.graph.nodes[key]
            if app_label in ours and name not in released.get(app_label, set()):
                found.extend(problems(migration, state))
            state = migration.mutate_state(state, preserve=True)
    return sorted(set(found))


def _statements(sql: object) -> Iterator[str]:
    if isinstance(sql, str):
        yield sql
    elif isinstance(sql, list | tuple):
        for part in sql:
            yield part[0] if isinstance(part, list | tuple) else str(part)
