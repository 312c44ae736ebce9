"""Keeping the search index current: the one place that writes search documents.

Every write path calls `index_articles`: Article saves (the admin, imports, `loaddata`,
which saves raw) through the post_save signal, and the queryset's bulk writes through
ArticleQuerySet. The database then keeps its own index in step (FTS5 and tsvector
triggers), in the same transaction as the write.
"""

from archive.search.plan import period_tokens
from archive.search.text import term_string

# The article fields search reads; a write that touches none of them needs no re-indexing.
INDEXED_FIELDS = frozenset({"title", "lead", "body", "byline", "published_on", "date_precision"})
# The search document's columns an upsert rewrites.
DOCUMENT_FIELDS = ["body", "byline", "lead", "period", "title"]


def search_document(article):
    from archive.models import SearchDocument

    return SearchDocument(
        article_id=article.pk,
        title=term_string(article.title),
        lead=term_string(article.lead),
        body=term_string(article.body),
        byline=term_string(article.byline),
        period=period_tokens(article.published_on, article.date_precision),
    )


def index_articles(articles, batch_size=500):
    """Write (or rewrite) the search documents of `articles` in bulk upserts."""
    from archive.models import SearchDocument

    batch = []
    for article in articles:
        batch.append(search_document(article))
        if len(batch) >= batch_size:
            _upsert(SearchDocument, batch)
            batch = []
    if batch:
        _upsert(SearchDocument, batch)


def _upsert(model, documents):
    model.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=DOCUMENT_FIELDS,
    )


def on_article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not INDEXED_FIELDS & set(update_fields):
        return
    index_articles([instance])
