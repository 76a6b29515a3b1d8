# Reviewers hide one occurrence of a phrase (Redaction.field, .occurrence), decline items and correct them for
# privacy (new statuses and event types), and search leaves out the markers of hidden phrases.
#
# Written for a live database (tests/support/migration_safety.py): the search vector was a generated column,
# and changing its expression would rewrite the table under an exclusive lock. It becomes a plain column kept
# by a trigger: the old column is dropped (no rewrite), the new one added empty, filled in batches of
# BATCH rows (each its own short transaction: the migration is not atomic), then indexed concurrently. Until
# the backfill reaches an item, search does not find it; the trigger keeps every item written meanwhile.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently, RemoveIndexConcurrently, ValidateConstraint
from django.db import migrations, models

BATCH = 5000

# The marker pattern is caunoi.core.redaction.MARKER_SQL_PATTERN as of this migration (a later change of the
# markers needs a new migration replacing this function).
CREATE_TRIGGER = r"""
CREATE OR REPLACE FUNCTION publication_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    body text := regexp_replace(
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.question, '') || ' ' || coalesce(NEW.answer, ''),
        '\[(đã ẩn|hidden): [^]]*\]', ' ', 'g'
    );
BEGIN
    NEW.search_vector := setweight(to_tsvector('simple', body), 'A')
        || setweight(to_tsvector('simple', vn_unaccent(body)), 'B')
        || array_to_tsvector(ARRAY['§' || (NEW.id >> 13)::text]);
    RETURN NEW;
END
$$;
CREATE TRIGGER publication_search_vector BEFORE INSERT OR UPDATE ON publication_publisheditem
    FOR EACH ROW EXECUTE FUNCTION publication_search_vector();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS publication_search_vector ON publication_publisheditem;
DROP FUNCTION IF EXISTS publication_search_vector();
"""


def backfill(apps, schema_editor):
    """Fires the trigger on every item, BATCH ids at a time (ids are dense enough: gaps only cost a no-op)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM publication_publisheditem")
        last = cursor.fetchone()[0]
        for start in range(0, last, BATCH):
            cursor.execute(
                "UPDATE publication_publisheditem SET title = title WHERE id > %s AND id <= %s",
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('publication', '0005_redaction_kinds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='redaction',
            name='field',
            field=models.CharField(blank=True, default='', choices=[('title', 'title'), ('question', 'question'), ('answer', 'answer')], max_length=16),
        ),
        migrations.AddField(
            model_name='redaction',
            name='occurrence',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='publicationevent',
            name='type',
            field=models.CharField(choices=[('proposed', 'Proposed for publication'), ('edited', 'Edited before publication'), ('redaction_added', 'Redaction added'), ('redaction_removed', 'Redaction removed'), ('published', 'Published'), ('corrected', 'Corrected'), ('unpublished', 'Unpublished'), ('declined', 'Declined: not to be published'), ('corrected_privately', 'Corrected for privacy')], max_length=32),
        ),
        migrations.AlterField(
            model_name='publisheditem',
            name='status',
            field=models.CharField(choices=[('pending_review', 'Waiting for review'), ('published', 'Published'), ('unpublished', 'Unpublished'), ('declined', 'Not to be published')], default='pending_review', max_length=16, verbose_name='status'),
        ),
        RemoveIndexConcurrently(model_name='publisheditem', name='published_search_idx'),
        migrations.RemoveField(model_name='publisheditem', name='search_vector'),
        migrations.AddField(
            model_name='publisheditem',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunSQL(CREATE_TRIGGER, DROP_TRIGGER),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        AddIndexConcurrently(
            model_name='publisheditem',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='published_search_idx'),
        ),
        AddConstraintNotValid(
            model_name='redaction',
            constraint=models.CheckConstraint(condition=models.Q(('occurrence__isnull', True), models.Q(('occurrence__gte', 1), models.Q(('field', ''), _negated=True)), _connector='OR'), name='redaction_occurrence_needs_field'),
        ),
        ValidateConstraint(model_name='redaction', name='redaction_occurrence_needs_field'),
    ]
