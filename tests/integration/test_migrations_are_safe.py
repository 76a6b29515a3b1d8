"""Migrations written after the first release run on a live database without locking a table for the time of
a scan, a rewrite or an index build (rules: tests/support/migration_safety.py), and the migrate job gives up on
a lock it cannot get quickly instead of queueing every request behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently, ValidateConstraint
from django.db import migrations, models
from django.db.migrations.state import ProjectState

from tests.support.migration_safety import problems, unsafe_migrations

# Applied in production before these rules: history, not to be edited. New migrations are checked.
RELEASED = {
    "accounts": {"0001_initial", "0002_lowercase_email_usernames"},
    "agencies": {"0001_initial"},
    "analytics": {"0001_initial"},
    "cases": {
        "0001_initial",
        "0002_work_queue",
        "0003_answer_templates",
        "0004_folded_text",
        "0005_intake_keys",
        "0006_anonymisation",
        "0007_case_site",
    },
    "core": {"0001_vn_unaccent"},
    "deadlines": {"0001_initial"},
    "dialogues": {"0001_initial"},
    "notifications": {"0001_initial"},
    "portals": {"0001_initial", "0002_logo"},
    "publication": {"0001_initial", "0002_title_trigram_gist", "0003_item_source", "0004_search_bucket"},
    "reports": {"0001_initial"},
    "social": {"0001_initial"},
    "syndication": {"0001_initial"},
}
REPO = Path(__file__).resolve().parents[2]


def test_every_migration_after_the_first_release_is_safe_on_a_live_database():
    assert unsafe_migrations(released=RELEASED) == []


def _state_with_a_table() -> ProjectState:
    state = ProjectState()
    migrations.CreateModel(
        "Thing",
        [("id", models.BigAutoField(primary_key=True)), ("size", models.IntegerField()), ("name", models.TextField())],
    ).state_forwards("demo", state)
    return state


def _migration(*ops, atomic: bool = True) -> migrations.Migration:
    migration = migrations.Migration("0002_change", "demo")
    migration.operations = list(ops)
    migration.atomic = atomic
    return migration


@pytest.mark.parametrize(
    ("operation", "complaint"),
    [
        (migrations.AddIndex("thing", models.Index(fields=["size"], name="thing_size")), "IndexConcurrently"),
        (
            migrations.AddConstraint("thing", models.CheckConstraint(condition=models.Q(size__gte=0), name="c")),
            "AddConstraintNotValid",
        ),
        (migrations.AddConstraint("thing", models.UniqueConstraint(fields=["name"], name="u")), "unique index"),
        (migrations.AlterField("thing", "size", models.TextField()), "column type change"),
        (migrations.AddField("thing", "code", models.CharField(max_length=5)), "NOT NULL column"),
        (migrations.RunSQL("CREATE INDEX thing_name ON demo_thing (name)"), "without CONCURRENTLY"),
    ],
)
def test_each_lock_heavy_operation_is_refused(operation, complaint):
    [problem] = problems(_migration(operation), _state_with_a_table())
    assert complaint in problem


def test_the_lock_friendly_forms_pass():
    safe = [
        AddIndexConcurrently("thing", models.Index(fields=["size"], name="thing_size")),
        AddConstraintNotValid("thing", models.CheckConstraint(condition=models.Q(size__gte=0), name="c")),
        ValidateConstraint("thing", "c"),
        migrations.AlterField("thing", "size", models.IntegerField(help_text="a label only")),
        migrations.AddField("thing", "code", models.CharField(max_length=5, default="")),
        migrations.AddField("thing", "note", models.TextField(null=True)),
        migrations.RunSQL("CREATE INDEX CONCURRENTLY thing_name ON demo_thing (name)"),
    ]
    assert list(problems(_migration(*safe, atomic=False), _state_with_a_table())) == []
    # A concurrent index cannot run inside the migration's transaction.
    [problem] = problems(_migration(safe[0]), _state_with_a_table())
    assert "atomic = False" in problem


def test_the_migrate_job_gives_up_on_a_lock_it_cannot_get_quickly():
    entrypoint = (REPO / "deploy" / "entrypoint.sh").read_text(encoding="utf-8")
    migrate = entrypoint.split("\nmigrate)", 1)[1].split(";;", 1)[0]
    assert "lock_timeout" in migrate.split("manage.py migrate", 1)[0]
