from django.db import migrations
from django.db.models import Q

SOFT_HYPHEN = "\u00ad"


def reindex(apps, schema_editor):
    """The search documents of the articles with a soft hyphen, written again: the words
    it split are now whole (archive.search.text.normalise). Most archives have none.

    The index's own writer, as it is now, since the documents must be what searches
    expect: a search document is derived data, not history."""
    from archive.models import Article
    from archive.search.index import index_articles

    fields = ("title", "lead", "body", "byline")
    marked = Q()
    for field in fields:
        marked |= Q(**{f"{field}__contains": SOFT_HYPHEN})
    articles = (
        Article.objects.using(schema_editor.connection.alias)
        .filter(marked)
        .only("pk", *fields, "published_on", "date_precision")
    )
    index_articles(articles.iterator(chunk_size=500))


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0010_article_status_valid"),
    ]

    operations = [
        migrations.RunPython(reindex, migrations.RunPython.noop),
    ]
