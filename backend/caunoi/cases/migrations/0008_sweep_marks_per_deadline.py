"""Sweep marks name the deadline they were made for (its date), so a moved due date is swept afresh."""

from django.db import migrations, models

# Existing marks were made for the due date the case has now (or, for a paused case, the one it had: they are
# dropped, and the resumed clock's new date is swept afresh).
FILL = """
UPDATE cases_sweepmark m SET due_on = (c.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
FROM cases_case c WHERE c.id = m.case_id AND c.due_at IS NOT NULL;
DELETE FROM cases_sweepmark WHERE due_on IS NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_site")]

    operations = [
        migrations.RemoveConstraint(model_name="sweepmark", name="unique_sweep_mark"),
        migrations.AddField(model_name="sweepmark", name="due_on", field=models.DateField(null=True)),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(model_name="sweepmark", name="due_on", field=models.DateField()),
        migrations.AddConstraint(
            model_name="sweepmark",
            constraint=models.UniqueConstraint(fields=("case", "due_on", "mark"), name="unique_sweep_mark"),
        ),
    ]
