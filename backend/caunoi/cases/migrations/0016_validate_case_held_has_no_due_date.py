from django.contrib.postgres.operations import ValidateConstraint
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_attachment_checks_and_held_cases")]

    operations = [ValidateConstraint(model_name="case", name="case_held_has_no_due_date")]
