"""Keeping the search index current: the one place that writes search documents.

Every write path calls `index_articles`: Article saves (the admin, imports, `loaddata`,
which saves raw) through the post_save signal, and the queryset's bulk writes through
ArticleQuerySet. The database then keeps its own index in step (FTS5 and tsvector
triggers), in the same transaction as the write.
"""

from django.db import connections, router, transaction

from archive.search.plan import period_tokens
from archive.search.schema import SQLITE_WORDS_ADD
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


def index_articles(articles, batch_size=500, created=False):
    """Write (or rewrite) the search documents of `articles` in bulk upserts.

    `created` says the articles were just inserted, so that none has a document yet
    (ArticleQuerySet.bulk_create): on PostgreSQL their documents are then streamed in with
    COPY, which the database turns into vectors and index entries while the next ones
    are made. (On SQLite, plain per-row inserts measured slower than these multi-row
    upserts: FTS5 flushes its pending terms at every statement.)
    """
    from archive.models import SearchDocument

    connection = connections[router.db_for_write(SearchDocument)]
    if created and connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias, savepoint=False):
            _copy(connection, SearchDocument, (search_document(article) for article in articles))
        return
    listing_words = connection.vendor == "sqlite"
    batch, words = [], set()
    for article in articles:
        document = search_document(article)
        batch.append(document)
        if listing_words:
            for text in (document.title, document.lead, document.body, document.byline):
                words.update(text.split())
        if len(batch) >= batch_size:
            _upsert(connection, SearchDocument, batch)
            batch = []
    if batch:
        _upsert(connection, SearchDocument, batch)
    if words:
        # SQLite: into the list that prefixes are expanded into (schema.SQLITE_WORDS),
        # once for all the batches. Most are there already, and are ignored; in order,
        # each insert lands next to the one before in the table's B-tree.
        with connection.cursor() as cursor:
            cursor.executemany(SQLITE_WORDS_ADD, [(word,) for word in sorted(words)])


def _upsert(connection, model, documents):
    model.objects.using(connection.alias).bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=DOCUMENT_FIELDS,
    )


def _copy(connection, model, documents):
    table = model._meta.db_table
    fields = [model._meta.get_field(name) for name in ("article", *DOCUMENT_FIELDS)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        # GIN queues new entries in a pending list, which searches read like the rest of
        # the index, and merges it in whenever it passes gin_pending_list_limit (4 MB by
        # default): every few hundred articles of a bulk load. Merging 64 MB at a time,
        # and what is left at the end, costs the database a fifth less per article, and
        # leaves no pending list behind to slow the searches that follow.
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        # psycopg's own cursor: Django's has no COPY. The vector is the trigger's, as always.
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for document in documents:
                copy.write_row([getattr(document, field.attname) for field in fields])
        cursor.execute("SET LOCAL gin_pending_list_limit TO DEFAULT")
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
            [table],
        )


def on_article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not INDEXED_FIELDS & set(update_fields):
        return
    index_articles([instance])
