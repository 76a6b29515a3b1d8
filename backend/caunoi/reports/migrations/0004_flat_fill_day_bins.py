"""Fills the day bins of the aggregate rows built before 0003 from their exact histograms, in batches by
primary key (each its own short transaction: the migration is not atomic), so readers have their medians
from the release on without a full `rebuild_statistics`. Rows the refresh rebuilds meanwhile come with bins."""

from django.db import migrations

from caunoi.reports.day_bins import bins_from_histogram_sql

BATCH = 5000
FILL = f"""
WITH batch AS (
    SELECT id FROM reports_agencyperiodstats WHERE id > %s ORDER BY id LIMIT {BATCH}
), filled AS (
    UPDATE reports_agencyperiodstats SET
        answer_bins = {bins_from_histogram_sql("answer_days")},
        citizen_bins = {bins_from_histogram_sql("citizen_days")}
    WHERE id IN (SELECT id FROM batch) AND answer_bins IS NULL AND period <> 'now'
)
SELECT max(id) FROM batch
"""  # noqa: S608 (constants)


def fill_day_bins(apps, schema_editor):
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(FILL, [last])
            (last,) = cursor.fetchone()
            if last is None:
                return


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("reports", "0003_flat_bounded_day_bins")]

    operations = [migrations.RunPython(fill_day_bins, migrations.RunPython.noop, elidable=True)]
