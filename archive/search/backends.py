"""The two search engines behind one contract: which articles match, and how well.

`ArticleQuerySet.search()` is the only caller; it decides the query's logic and asks the
backend of the current connection for: a queryset narrowed to the matches of a text-only
query and ranked, through a join on the index; or, when alias expansion mixes tags into
the query, the ids matching some groups of terms and a rank expression for any row
(higher is better). Both backends receive the same terms.
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

    def match(self, articles, groups, excluded=()):
        tsquery = self._tsquery(groups, excluded)
        return articles.filter(search_document__vector=tsquery).annotate(
            rank=SearchRank(F("search_document__vector"), tsquery, weights=POSTGRESQL_WEIGHTS)
        )

    def matching_ids(self, groups, excluded=()):
        from archive.models import SearchDocument

        return SearchDocument.objects.filter(vector=self._tsquery(groups, excluded)).values("article_id")

    def rank(self, groups):
        return SearchRank(F("search_document__vector"), self._tsquery(groups), weights=POSTGRESQL_WEIGHTS)


class SQLiteBackend:
    def match(self, articles, groups, excluded=()):
        # Not a join: SQLite's planner would walk the articles and probe the FTS5 table
        # once per row. "id IN (SELECT rowid ... MATCH ...)" runs the MATCH once.
        return articles.filter(pk__in=self.matching_ids(groups, excluded)).annotate(rank=self.rank(groups))

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
