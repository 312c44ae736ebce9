"""The two search engines behind one contract: which articles match, and how well.

`ArticleQuerySet.search()` is the only caller; it decides the query's logic and asks the
backend of the current connection for two things: the ids matching some groups of terms,
and a rank expression (higher is better). Both backends receive the same terms.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from archive.search.fts5 import BM25
from archive.search.query import to_fts5, to_tsquery

# Title above lead above body above byline, on both engines.
SQLITE_WEIGHTS = (10.0, 4.0, 1.0, 0.5)  # bm25 column weights: title, lead, body, byline
POSTGRESQL_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # ts_rank weights for D (byline), C (body), B (lead), A (title)


class PostgreSQLBackend:
    def _tsquery(self, groups, excluded=()):
        return SearchQuery(to_tsquery(groups, excluded), search_type="raw", config="simple")

    def matching_ids(self, groups, excluded=()):
        from archive.models import SearchDocument

        return SearchDocument.objects.filter(vector=self._tsquery(groups, excluded)).values("article_id")

    def rank(self, groups):
        return SearchRank(F("search_document__vector"), self._tsquery(groups), weights=POSTGRESQL_WEIGHTS)


class SQLiteBackend:
    def matching_ids(self, groups, excluded=()):
        from archive.models import ArticleFTS

        return ArticleFTS.objects.filter(document__match=to_fts5(groups, excluded)).values("article_id")

    def rank(self, groups):
        from archive.models import ArticleFTS

        # bm25() exists only inside a MATCH query: one per ranked row, over that row only.
        score = (
            ArticleFTS.objects.filter(article=OuterRef("pk"), document__match=to_fts5(groups))
            .annotate(score=BM25(F("document"), *SQLITE_WEIGHTS))
            .values("score")[:1]
        )
        return Coalesce(-Subquery(score), Value(0.0))


BACKENDS = {"postgresql": PostgreSQLBackend(), "sqlite": SQLiteBackend()}


def backend_for(using="default"):
    vendor = connections[using].vendor
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"Search supports PostgreSQL and SQLite, not {vendor}.") from None
