"""Sweep marks are unique per case, deadline (its date) and mark.

Written to run on a live database: the new unique index is built concurrently (hence not atomic), then the
constraint is added using it; the old (case, mark) constraint is dropped in the same statement.
"""

from django.db import migrations, models

# Marks written between 0008 and this migration by a sweep of the old code have no date: dropped, as in 0008.
FILL = "DELETE FROM cases_sweepmark WHERE due_on IS NULL"
UNIQUE_INDEX = (
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS unique_sweep_mark_per_deadline "
    "ON cases_sweepmark (case_id, due_on, mark)"
)
CONSTRAINT = (
    "ALTER TABLE cases_sweepmark DROP CONSTRAINT IF EXISTS unique_sweep_mark, "
    "ADD CONSTRAINT unique_sweep_mark UNIQUE USING INDEX unique_sweep_mark_per_deadline"
)
CONSTRAINT_BACK = (
    "ALTER TABLE cases_sweepmark DROP CONSTRAINT IF EXISTS unique_sweep_mark, "
    "ADD CONSTRAINT unique_sweep_mark UNIQUE (case_id, mark)"
)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("cases", "0010_clock_segments")]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(model_name="sweepmark", name="due_on", field=models.DateField()),
        migrations.RunSQL(UNIQUE_INDEX, "DROP INDEX CONCURRENTLY IF EXISTS unique_sweep_mark_per_deadline"),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(CONSTRAINT, CONSTRAINT_BACK)],
            state_operations=[
                migrations.RemoveConstraint(model_name="sweepmark", name="unique_sweep_mark"),
                migrations.AddConstraint(
                    model_name="sweepmark",
                    constraint=models.UniqueConstraint(fields=("case", "due_on", "mark"), name="unique_sweep_mark"),
                ),
            ],
        ),
    ]
