from django.db import migrations

# PostgreSQL: lists, feeds and exports of published articles ordered newest first,
# undated last (ORDER BY published_on DESC NULLS LAST, id DESC, the model's ordering).
# article_status_date_idx orders published_on DESC with its nulls first, PostgreSQL's
# default, so a query in that order sorted every match: the feed of the whole archive
# read a million articles for its 50. Walked backwards, that index still serves oldest
# first (ASC NULLS LAST). SQLite's DESC puts nulls last already, and it refuses NULLS
# LAST in an index: it needs none.
CREATE = """
    CREATE INDEX article_published_order_idx ON archive_article (published_on DESC NULLS LAST, id DESC)
    WHERE status = 'published'
"""
DROP = "DROP INDEX IF EXISTS article_published_order_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_search_vectors_in_rows"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
