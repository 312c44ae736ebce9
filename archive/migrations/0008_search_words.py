from django.db import migrations

from archive.search import schema


class Migration(migrations.Migration):
    """SQLite: the list of the index's words that a prefix is expanded into
    (archive.search.schema.SQLITE_WORDS), filled from the index once. PostgreSQL's GIN
    index finds a prefix's words in its own ordered list of them."""

    dependencies = [
        ("archive", "0007_article_list_order_index"),
    ]

    operations = [
        migrations.RunPython(schema.create_words, schema.drop_words),
    ]
