"""Validates the constraints 0012 added NOT VALID: a scan under SHARE UPDATE EXCLUSIVE, which lets reads and
writes go on (its own migration, so the brief exclusive lock of adding them is not held meanwhile).

Fails if an existing row breaks one: fix the data (e.g. set closed_at of an answered case) and run it again."""

from django.contrib.postgres.operations import ValidateConstraint
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_integrity_and_appeal")]

    operations = [
        ValidateConstraint(model_name="case", name="case_not_own_duplicate"),
        ValidateConstraint(model_name="case", name="case_not_own_part"),
        ValidateConstraint(model_name="case", name="case_final_status_closed"),
        ValidateConstraint(model_name="case", name="case_stage_1_or_2"),
        ValidateConstraint(model_name="extension", name="extension_days_1_to_30"),
    ]
