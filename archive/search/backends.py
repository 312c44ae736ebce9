"""The two search engines behind one contract: which articles match, and how well.

`ArticleQuerySet.search()` is the only caller; it decides the query's logic and asks the
backend of the current connection for: a queryset narrowed to the matches of a text-only
query and ranked, through a join on the index; or, when alias expansion mixes tags into
the query, the ids matching some groups of terms and a rank expression for any row
(higher is better). Both backends receive the same terms.
"""

import json

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from archive.search.fts5 import BM25
from archive.search.query import Group, to_fts5, to_tsquery

# Title above lead above body above byline, on both engines.
SQLITE_WEIGHTS = (10.0, 4.0, 1.0, 0.5, 0.0)  # bm25 column weights: title, lead, body, byline, period
POSTGRESQL_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # ts_rank weights for D (byline), C (body), B (lead), A (title)


class PostgreSQLBackend:
    def _tsquery(self, groups, excluded=(), window=None):
        expression = to_tsquery(groups, excluded)
        if window is not None:
            # A window (archive.search.plan) is one more lexeme group, intersected in the index.
            expression = f"({expression}) & (" + " | ".join(f"'{t}'" for t in window.tokens) + ")"
        return SearchQuery(expression, search_type="raw", config="simple")

    def match(self, articles, groups, excluded=(), window=None):
        # Ranked by the words alone: the window's lexemes only narrow.
        return articles.filter(search_document__vector=self._tsquery(groups, excluded, window)).annotate(
            rank=SearchRank(F("search_document__vector"), self._tsquery(groups), weights=POSTGRESQL_WEIGHTS)
        )

    def matching_ids(self, groups, excluded=(), window=None):
        from archive.models import SearchDocument

        return SearchDocument.objects.filter(vector=self._tsquery(groups, excluded, window)).values("article_id")

    def estimate(self, groups, excluded=()):
        """The planner's estimate of the matching search documents (from ANALYZE's
        most common lexemes): no row is read."""
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM archive_searchdocument WHERE vector @@ to_tsquery('simple', %s)",
                [to_tsquery(groups, excluded)],
            )
            explained = cursor.fetchone()[0]
        if isinstance(explained, str):
            explained = json.loads(explained)
        return explained[0]["Plan"]["Plan Rows"]

    def rank(self, groups):
        return SearchRank(F("search_document__vector"), self._tsquery(groups), weights=POSTGRESQL_WEIGHTS)


class SQLiteBackend:
    def match(self, articles, groups, excluded=(), window=None):
        # Not a join: SQLite's planner would walk the articles and probe the FTS5 table
        # once per row. "id IN (SELECT rowid ... MATCH ...)" runs the MATCH once.
        return articles.filter(pk__in=self.matching_ids(groups, excluded, window)).annotate(rank=self.rank(groups))

    def matching_ids(self, groups, excluded=(), window=None):
        from archive.models import ArticleFTS

        expression = to_fts5(groups, excluded)
        if window is not None:
            # A window (archive.search.plan) is one more group of tokens, intersected in the index.
            expression = f"({expression}) AND (" + " OR ".join(f'"{t}"' for t in window.tokens) + ")"
        return ArticleFTS.objects.filter(document__match=expression).values("article_id")

    def estimate(self, groups, excluded=()):
        """From FTS5's document frequency of each stem (fts5vocab): a few index lookups.

        A phrase is taken to be as common as its rarest word, words of a group add up,
        groups are taken as independent."""
        from archive.search.plan import total_published

        total = max(total_published(), 1)
        with connections["default"].cursor() as cursor:
            def frequency(stem, prefix=False):
                if prefix:
                    cursor.execute(
                        "SELECT coalesce(sum(doc), 0) FROM archive_article_fts_vocab WHERE term >= %s AND term < %s",
                        [stem, stem + "\U0010ffff"],
                    )
                else:
                    cursor.execute("SELECT coalesce(sum(doc), 0) FROM archive_article_fts_vocab WHERE term = %s", [stem])
                return min(cursor.fetchone()[0], total)

            share = 1.0
            for group in groups:
                matches = 0
                for term in group.terms:
                    *head, last = term.stems
                    matches += min([frequency(s) for s in head] + [frequency(last, term.prefix)])
                share *= min(1.0, matches / total)
            for term in excluded:
                share *= 1.0 - min(1.0, self.estimate([Group([term])]) / total)
            return share * total

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
