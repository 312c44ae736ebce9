"""The database objects behind search that Django's schema editor does not make itself.

SQLite: an external-content FTS5 table over archive_searchdocument, kept in step by
triggers, so that every write to a search document (from any connection) reaches the
index in the same transaction. PostgreSQL: a trigger that computes the weighted tsvector
from the same columns, and the GIN index that MATCH-style queries use.

Both indexes also hold each article's period tokens (`_y2016 _m201605`, see
archive.search.plan): they let a search of a very common word look at the newest months
first inside the index, instead of reading every match. A reader's query can never
produce them, because query words never contain "_".
"""

SQLITE_TABLE = [
    # Terms arrive already normalised and stemmed (archive.search.text), so the tokenizer
    # only splits on spaces; remove_diacritics is a second guard for text written
    # around the application. "_" is a token character for the period tokens.
    """
    CREATE VIRTUAL TABLE archive_article_fts USING fts5(
        title, lead, body, byline, period,
        content='archive_searchdocument', content_rowid='article_id',
        tokenize="unicode61 remove_diacritics 2 tokenchars '_'"
    )
    """,
    # Document frequencies, for estimating how many articles a query matches.
    "CREATE VIRTUAL TABLE archive_article_fts_vocab USING fts5vocab(archive_article_fts, 'row')",
]

# Bulk loads (generate_corpus) drop these, load, rebuild the FTS5 table once and recreate
# them. NOTE: SQLite rebuilds a table to alter it, which drops its triggers: a migration
# that alters archive_searchdocument must recreate them.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER archive_searchdocument_fts_insert AFTER INSERT ON archive_searchdocument BEGIN
        INSERT INTO archive_article_fts(rowid, title, lead, body, byline, period)
        VALUES (new.article_id, new.title, new.lead, new.body, new.byline, new.period);
    END
    """,
    """
    CREATE TRIGGER archive_searchdocument_fts_delete AFTER DELETE ON archive_searchdocument BEGIN
        INSERT INTO archive_article_fts(archive_article_fts, rowid, title, lead, body, byline, period)
        VALUES ('delete', old.article_id, old.title, old.lead, old.body, old.byline, old.period);
    END
    """,
    """
    CREATE TRIGGER archive_searchdocument_fts_update AFTER UPDATE ON archive_searchdocument BEGIN
        INSERT INTO archive_article_fts(archive_article_fts, rowid, title, lead, body, byline, period)
        VALUES ('delete', old.article_id, old.title, old.lead, old.body, old.byline, old.period);
        INSERT INTO archive_article_fts(rowid, title, lead, body, byline, period)
        VALUES (new.article_id, new.title, new.lead, new.body, new.byline, new.period);
    END
    """,
]

SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS archive_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS archive_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS archive_searchdocument_fts_insert",
]

SQLITE_CREATE = SQLITE_TABLE + SQLITE_TRIGGERS
SQLITE_DROP = SQLITE_DROP_TRIGGERS + [
    "DROP TABLE IF EXISTS archive_article_fts_vocab",
    "DROP TABLE IF EXISTS archive_article_fts",
]
SQLITE_REBUILD = "INSERT INTO archive_article_fts(archive_article_fts) VALUES ('rebuild')"

# The words of the FTS5 index (period tokens aside), in order, for expanding a prefix into
# the words that complete it (SQLiteBackend.completions). FTS5 answers a prefix by
# gathering every position of every such word before it can intersect them with anything:
# about a second for "the*" at a million articles, and again in each query of a search,
# while "the" OR "their" OR ... of the same 43 words takes milliseconds. Its own list of
# words (fts5vocab) counts each word's articles as it lists it, which is as slow. So the
# words are kept here too: added by archive.search.index whenever search documents are
# written, never removed (a word that no article has any more completes a prefix to no
# match), and filled from the index whole after a bulk load.
SQLITE_WORDS = "CREATE TABLE archive_article_fts_words (word TEXT PRIMARY KEY) WITHOUT ROWID"
SQLITE_WORDS_FILL = (
    "INSERT OR IGNORE INTO archive_article_fts_words (word)"
    " SELECT term FROM archive_article_fts_vocab WHERE term NOT GLOB '_*'"
)
SQLITE_WORDS_ADD = "INSERT OR IGNORE INTO archive_article_fts_words (word) VALUES (%s)"
SQLITE_WORDS_DROP = "DROP TABLE IF EXISTS archive_article_fts_words"

# Search: WHERE vector @@ to_tsquery('simple', ...). Bulk loads build it after the rows.
POSTGRESQL_GIN_INDEX = "CREATE INDEX archive_searchdocument_vector_gin ON archive_searchdocument USING gin (vector)"
POSTGRESQL_DROP_GIN_INDEX = "DROP INDEX IF EXISTS archive_searchdocument_vector_gin"

# The 'simple' configuration only lower-cases and splits: the stemming has been done.
# Period tokens go in as they are (array_to_tsvector does not parse them).
POSTGRESQL_FUNCTION = """
    CREATE OR REPLACE FUNCTION archive_searchdocument_vector() RETURNS trigger AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('simple', NEW.title), 'A') ||
            setweight(to_tsvector('simple', NEW.lead), 'B') ||
            setweight(to_tsvector('simple', NEW.body), 'C') ||
            setweight(to_tsvector('simple', NEW.byline), 'D') ||
            array_to_tsvector(string_to_array(NEW.period, ' ', ''));
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
"""
POSTGRESQL_TRIGGER = """
    CREATE TRIGGER archive_searchdocument_vector
    BEFORE INSERT OR UPDATE OF title, lead, body, byline, period ON archive_searchdocument
    FOR EACH ROW EXECUTE FUNCTION archive_searchdocument_vector()
"""
# The planner's estimate of how many articles a query matches (archive.search.plan)
# comes from the most common lexemes ANALYZE keeps; the default keeps too few for an
# archive's vocabulary.
POSTGRESQL_STATISTICS = "ALTER TABLE archive_searchdocument ALTER COLUMN vector SET STATISTICS 2000"

POSTGRESQL_CREATE = [
    POSTGRESQL_FUNCTION,
    POSTGRESQL_TRIGGER,
    POSTGRESQL_GIN_INDEX,
    POSTGRESQL_STATISTICS,
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


# --- Migration 0005: from the first objects (archive/migrations/_search_v1.py) to these --

# Each article's period tokens from its date and precision, in SQL, for the backfill; the
# same as archive.search.plan.period_tokens.
_SQLITE_PERIOD = """
    CASE a.date_precision
        WHEN 'unknown' THEN ''
        WHEN 'year' THEN '_y' || strftime('%Y', a.published_on)
        WHEN 'month' THEN '_y' || strftime('%Y', a.published_on) || ' _m' || strftime('%Y%m', a.published_on)
        ELSE '_y' || strftime('%Y', a.published_on) || ' _m' || strftime('%Y%m', a.published_on)
            || ' _d' || strftime('%Y%m%d', a.published_on)
    END
"""
_POSTGRESQL_PERIOD = """
    CASE a.date_precision
        WHEN 'unknown' THEN ''
        WHEN 'year' THEN '_y' || to_char(a.published_on, 'YYYY')
        WHEN 'month' THEN '_y' || to_char(a.published_on, 'YYYY') || ' _m' || to_char(a.published_on, 'YYYYMM')
        ELSE '_y' || to_char(a.published_on, 'YYYY') || ' _m' || to_char(a.published_on, 'YYYYMM')
            || ' _d' || to_char(a.published_on, 'YYYYMMDD')
    END
"""


def drop_v1(apps, schema_editor):
    from archive.migrations import _search_v1

    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, {"sqlite": _search_v1.SQLITE_DROP})
    else:
        # The index is rebuilt after the backfill: updating every row under it costs more.
        _run(schema_editor, {"postgresql": [
            "DROP TRIGGER IF EXISTS archive_searchdocument_vector ON archive_searchdocument",
            POSTGRESQL_DROP_GIN_INDEX,
        ]})  # fmt: skip


def create_v2(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "UPDATE archive_searchdocument SET period = (SELECT " + _SQLITE_PERIOD + " FROM archive_article a"
            " WHERE a.id = archive_searchdocument.article_id)"
        )
        _run(schema_editor, {"sqlite": SQLITE_CREATE + [SQLITE_REBUILD]})
    else:
        # Appending the period lexemes to the vector is the trigger's result without
        # re-parsing every text; the trigger takes over for later writes.
        schema_editor.execute(
            "UPDATE archive_searchdocument d SET period = p.period,"
            " vector = d.vector || coalesce(array_to_tsvector(string_to_array(nullif(p.period, ''), ' ')), '')"
            " FROM (SELECT a.id, " + _POSTGRESQL_PERIOD + " AS period FROM archive_article a) p"
            " WHERE p.id = d.article_id"
        )
        _run(schema_editor, {"postgresql": POSTGRESQL_CREATE})
        schema_editor.execute("ANALYZE archive_searchdocument")


def drop_v2(apps, schema_editor):
    """Back to the first objects (the period column itself is removed by the migration)."""
    from archive.migrations import _search_v1

    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})
    if schema_editor.connection.vendor == "sqlite":
        _search_v1.create(apps, schema_editor)
        schema_editor.execute(SQLITE_REBUILD)
    else:
        _search_v1.create(apps, schema_editor)
        schema_editor.execute("UPDATE archive_searchdocument SET title = title")  # the vectors again, without periods


def recreate_v1(apps, schema_editor):
    """Reverse of drop_v1, after the period column is gone: drop_v2 made the first objects
    again, but SQLite may have rebuilt the table to drop the column, and its triggers with it."""
    from archive.migrations import _search_v1

    _run(schema_editor, {"sqlite": _search_v1.SQLITE_DROP_TRIGGERS + _search_v1.SQLITE_TRIGGERS})


# --- Migration 0006: PostgreSQL keeps each vector in its row ------------------------------

# Ranking (ts_rank) and phrases (checked against word positions, which the GIN index
# does not keep) read every candidate's vector, some 4.4 KB. Above 2 KB a row's largest
# values go out of line by default (TOAST), and each read then costs lookups in a second
# table. Rows may now fill a page, and the vector is the last value moved out of one: at
# a million articles, ranking 5,000 vectors took a third of the time (15 ms to 5) and
# checking a phrase in 40,000 about half (129 ms to 66). The stemmed texts, read only by
# the trigger, are still compressed, and still moved out first when a row is too long.
POSTGRESQL_INLINE_VECTORS = [
    "ALTER TABLE archive_searchdocument SET (toast_tuple_target = 8160)",
    "ALTER TABLE archive_searchdocument ALTER COLUMN vector SET STORAGE MAIN",
]
POSTGRESQL_TOASTED_VECTORS = [
    "ALTER TABLE archive_searchdocument RESET (toast_tuple_target)",
    "ALTER TABLE archive_searchdocument ALTER COLUMN vector SET STORAGE EXTENDED",
]
# The storage settings apply to rows written after them: the existing rows are rewritten
# once (the table is locked meanwhile: minutes at a million articles). Not in a
# transaction, which VACUUM refuses (the migration is not atomic).
_POSTGRESQL_REWRITE = "VACUUM FULL archive_searchdocument"


def inline_vectors(apps, schema_editor):
    _run(schema_editor, {"postgresql": [*POSTGRESQL_INLINE_VECTORS, _POSTGRESQL_REWRITE]})


def toasted_vectors(apps, schema_editor):
    _run(schema_editor, {"postgresql": [*POSTGRESQL_TOASTED_VECTORS, _POSTGRESQL_REWRITE]})


# --- Migration 0008: SQLite keeps a list of the index's words -----------------------------


def create_words(apps, schema_editor):
    _run(schema_editor, {"sqlite": [SQLITE_WORDS, SQLITE_WORDS_FILL]})


def drop_words(apps, schema_editor):
    _run(schema_editor, {"sqlite": [SQLITE_WORDS_DROP]})
