"""SQLite FTS5 in the ORM: a MATCH lookup and the bm25() ranking function.

Small wrappers in the manner of django.contrib.postgres.search, so that querysets say
`document__match=...` and `BM25(...)` instead of assembling SQL strings.
"""

from django.db import models


class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FTS5Document(models.TextField):
    """FTS5's hidden column named after its table: MATCH on it searches every column."""


FTS5Document.register_lookup(Match)


class BM25(models.Func):
    """bm25(table, weight per column...): lower is better, so callers negate it."""

    function = "bm25"
    output_field = models.FloatField()

    def __init__(self, document, *weights):
        super().__init__(document, *(models.Value(float(w)) for w in weights))


class MatchScores(models.Func):
    """MatchScores(article id, expression): the article's bm25() score against the MATCH
    `expression` (lower is better), or NULL if it does not match.

    Every match is scored in one MATCH per statement, kept as a table (a MATERIALIZED
    common table expression, which SQLite fills once, however many rows look it up), and
    each article looks its score up. As a correlated subquery of the virtual table, one
    MATCH ran per article, and each counted every term's articles over the whole index
    for its bm25(): a popular name's page took 0.5 s at a million articles. Left to the
    planner, the scores were folded back into a MATCH per article, or read again for
    each one when it saw few articles to look them up for. SQLite before 3.35 has no
    MATERIALIZED: there the scores are the subquery per article they were, slower but
    the same.
    """

    output_field = models.FloatField()

    def __init__(self, article, expression):
        super().__init__(article, models.Value(expression))

    def as_sql(self, compiler, connection, **extra):
        from archive.models import ArticleFTS
        from archive.search.backends import SQLITE_WEIGHTS

        (article, article_params), (expression, expression_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        table = connection.ops.quote_name(ArticleFTS._meta.db_table)
        weights = ", ".join(map(repr, map(float, SQLITE_WEIGHTS)))
        materialized = "MATERIALIZED " if connection.Database.sqlite_version_info >= (3, 35) else ""
        sql = (
            f"(WITH scores AS {materialized}(SELECT rowid AS id, bm25({table}, {weights}) AS score FROM {table} "
            f"WHERE {table} MATCH {expression}) SELECT score FROM scores WHERE id = {article})"
        )
        return sql, (*expression_params, *article_params)
