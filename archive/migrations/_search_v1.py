"""The full-text objects as migration 0001 made them (title, lead, body and byline only).

A frozen copy: migrations must keep making what they made when they were written, while
archive.search.schema describes the current objects (0005 moves from these to those).
The loader skips modules whose names start with "_".
"""


SQLITE_TABLE = [
    # Terms arrive already normalised and stemmed (archive.search.text), so the tokenizer
    # only splits on spaces; remove_diacritics is a second guard for text written
    # around the application.
    """
    CREATE VIRTUAL TABLE archive_article_fts USING fts5(
        title, lead, body, byline,
        content='archive_searchdocument', content_rowid='article_id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
]

# Bulk loads (generate_corpus) drop these, load, rebuild the FTS5 table once and recreate
# them. NOTE: SQLite rebuilds a table to alter it, which drops its triggers: a migration
# that alters archive_searchdocument must recreate them.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER archive_searchdocument_fts_insert AFTER INSERT ON archive_searchdocument BEGIN
        INSERT INTO archive_article_fts(rowid, title, lead, body, byline)
        VALUES (new.article_id, new.title, new.lead, new.body, new.byline);
    END
    """,
    """
    CREATE TRIGGER archive_searchdocument_fts_delete AFTER DELETE ON archive_searchdocument BEGIN
        INSERT INTO archive_article_fts(archive_article_fts, rowid, title, lead, body, byline)
        VALUES ('delete', old.article_id, old.title, old.lead, old.body, old.byline);
    END
    """,
    """
    CREATE TRIGGER archive_searchdocument_fts_update AFTER UPDATE ON archive_searchdocument BEGIN
        INSERT INTO archive_article_fts(archive_article_fts, rowid, title, lead, body, byline)
        VALUES ('delete', old.article_id, old.title, old.lead, old.body, old.byline);
        INSERT INTO archive_article_fts(rowid, title, lead, body, byline)
        VALUES (new.article_id, new.title, new.lead, new.body, new.byline);
    END
    """,
]

SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS archive_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS archive_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS archive_searchdocument_fts_insert",
]

SQLITE_CREATE = SQLITE_TABLE + SQLITE_TRIGGERS
SQLITE_DROP = SQLITE_DROP_TRIGGERS + ["DROP TABLE IF EXISTS archive_article_fts"]

# Search: WHERE vector @@ to_tsquery('simple', ...). Bulk loads build it after the rows.
POSTGRESQL_GIN_INDEX = "CREATE INDEX archive_searchdocument_vector_gin ON archive_searchdocument USING gin (vector)"
POSTGRESQL_DROP_GIN_INDEX = "DROP INDEX IF EXISTS archive_searchdocument_vector_gin"

POSTGRESQL_CREATE = [
    # The 'simple' configuration only lower-cases and splits: the stemming has been done.
    """
    CREATE FUNCTION archive_searchdocument_vector() RETURNS trigger AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('simple', NEW.title), 'A') ||
            setweight(to_tsvector('simple', NEW.lead), 'B') ||
            setweight(to_tsvector('simple', NEW.body), 'C') ||
            setweight(to_tsvector('simple', NEW.byline), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER archive_searchdocument_vector
    BEFORE INSERT OR UPDATE OF title, lead, body, byline ON archive_searchdocument
    FOR EACH ROW EXECUTE FUNCTION archive_searchdocument_vector()
    """,
    POSTGRESQL_GIN_INDEX,
]

POSTGRESQL_DROP = [
    POSTGRESQL_DROP_GIN_INDEX,
    "DROP TRIGGER IF EXISTS archive_searchdocument_vector ON archive_searchdocument",
    "DROP FUNCTION IF EXISTS archive_searchdocument_vector()",
]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})
