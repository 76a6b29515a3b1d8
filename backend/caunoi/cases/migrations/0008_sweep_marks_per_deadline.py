"""Sweep marks name the deadline they were made for (its date), so a moved due date is swept afresh.

Written to run on a live database: the new unique index is built concurrently (hence not atomic), then the
constraint is added using it; the old (case, mark) constraint is dropped only once the new one exists.
"""

from django.db import migrations, models

# Existing marks were made for the due date the case has now; a paused case's marks are dropped (its resumed
# clock's new date is swept afresh).
FILL = """
UPDATE cases_sweepmark m SET due_on = (c.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
FROM cases_case c WHERE c.id = m.case_id AND c.due_at IS NOT NULL AND m.due_on IS NULL;
DELETE FROM cases_sweepmark WHERE due_on IS NULL;
"""

UNIQUE_INDEX = (
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS unique_sweep_mark_per_deadline "
    "ON cases_sweepmark (case_id, due_on, mark)"
)
CONSTRAINT = (
    "ALTER TABLE cases_sweepmark DROP CONSTRAINT IF EXISTS unique_sweep_mark; "
    "ALTER TABLE cases_sweepmark ADD CONSTRAINT unique_sweep_mark UNIQUE USING INDEX unique_sweep_mark_per_deadline"
)
CONSTRAINT_BACK = (
    "ALTER TABLE cases_sweepmark DROP CONSTRAINT IF EXISTS unique_sweep_mark; "
    "ALTER TABLE cases_sweepmark ADD CONSTRAINT unique_sweep_mark UNIQUE (case_id, mark)"
)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("cases", "0007_case_site")]

    operations = [
        migrations.AddField(model_name="sweepmark", name="due_on", field=models.DateField(null=True)),
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
