from django.db import migrations

# The admin's article list: every article, whatever its status, newest first and undated
# last (ORDER BY published_on DESC NULLS LAST, id DESC, the model's ordering). The public
# lists' indexes hold published articles only, or begin with the status, so each page of
# the admin's list sorted the whole archive: 1.5 s on PostgreSQL and 4 s on SQLite at a
# million articles. The same index answers the first and the last date (its date
# hierarchy). SQLite's DESC puts nulls last already, and it refuses NULLS LAST in an
# index (see 0007).
INDEX = "article_order_idx"
CREATE = {
    "postgresql": f"CREATE INDEX {INDEX} ON archive_article (published_on DESC NULLS LAST, id DESC)",
    "sqlite": f"CREATE INDEX {INDEX} ON archive_article (published_on DESC, id DESC)",
}
DROP = f"DROP INDEX IF EXISTS {INDEX}"


def create(apps, schema_editor):
    schema_editor.execute(CREATE[schema_editor.connection.vendor])


def drop(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_search_words"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
