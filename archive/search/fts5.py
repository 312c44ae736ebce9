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
