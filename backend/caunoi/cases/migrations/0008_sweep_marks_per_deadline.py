"""Sweep marks name the deadline they were made for (its date), so a moved due date is swept afresh: the date,
filled in for existing marks. 0011 makes it required and unique with the case and the mark."""

from django.db import migrations, models

# Existing marks were made for the due date the case has now; a paused case's marks are dropped (its resumed
# clock's new date is swept afresh).
FILL = """
UPDATE cases_sweepmark m SET due_on = (c.due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
FROM cases_case c WHERE c.id = m.case_id AND c.due_at IS NOT NULL AND m.due_on IS NULL;
DELETE FROM cases_sweepmark WHERE due_on IS NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_site")]

    operations = [
        migrations.AddField(model_name="sweepmark", name="due_on", field=models.DateField(null=True)),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
