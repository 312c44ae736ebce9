from django.db import migrations

from archive.search import schema


class Migration(migrations.Migration):
    """PostgreSQL: each search vector stored in its row (archive.search.schema)."""

    # VACUUM FULL rewrites the table, and cannot run in a transaction.
    atomic = False

    dependencies = [
        ("archive", "0005_search_periods"),
    ]

    operations = [
        migrations.RunPython(schema.inline_vectors, schema.toasted_vectors),
    ]
