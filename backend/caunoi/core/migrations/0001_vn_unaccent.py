"""The project's own immutable `vn_unaccent()` and pg_trgm.

The embedded PostgreSQL has no `unaccent` extension, and `unaccent()` is only STABLE (it cannot be used in
an index expression), so the project uses this function everywhere, also on servers that have unaccent.
It must fold exactly like caunoi.core.text.vn_fold (a test compares them letter by letter).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from caunoi.core.text import ACCENTED, BARE

CREATE = f"""
CREATE OR REPLACE FUNCTION vn_unaccent(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(translate(normalize(input, NFC), '{ACCENTED}', '{BARE}')) $$;
"""

DROP = "DROP FUNCTION IF EXISTS vn_unaccent(text);"


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        TrigramExtension(),
        migrations.RunSQL(CREATE, DROP),
    ]
