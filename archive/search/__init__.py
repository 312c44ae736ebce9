"""Full-text search: one query language, the same tokens and stems on PostgreSQL and SQLite.

Text is normalised and stemmed here, in Python, once; both databases index the result
(PostgreSQL as a weighted tsvector with a GIN index, SQLite in an external-content FTS5
table ranked with bm25). Because both engines see identical terms, the same query finds
the same articles on either.
"""
