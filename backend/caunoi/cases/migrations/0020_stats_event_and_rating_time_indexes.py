"""Indexes on when events and ratings happened: the statistics refresh (reports/aggregates.py) reads one
day's rows. Built concurrently (a live event table has millions of rows)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0019_oidc_case_identity_level"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="caseevent",
            index=models.Index(fields=["at"], name="event_at_idx"),
        ),
        AddIndexConcurrently(
            model_name="rating",
            index=models.Index(fields=["created_at"], name="rating_created_at_idx"),
        ),
    ]
