"""The two search engines behind one contract: which articles match, and how well.

`ArticleQuerySet.search()` is the only caller; it decides the query's logic and asks the
backend of the current connection for: a queryset narrowed to the matches of a text-only
query and ranked, through a join on the index; or, when alias expansion mixes tags into
the query, the ids matching some groups of terms and a rank expression for any row
(higher is better). Both backends receive the same terms.
"""

import json

from django.contrib.postgres.search import SearchQuery, SearchQueryCombinable, SearchQueryField, SearchRank
from django.db import connections
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce

from archive.search.fts5 import BM25, MatchScores
from archive.search.query import has_phrase, to_fts5, to_tsquery

# Title above lead above body above byline, on both engines.
SQLITE_WEIGHTS = (10.0, 4.0, 1.0, 0.5, 0.0)  # bm25 column weights: title, lead, body, byline, period
POSTGRESQL_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # ts_rank weights for D (byline), C (body), B (lead), A (title)
# SQLite ranks a phrase's matches by its words when there are at most this many of them.
PHRASE_MATCHES_BY_ID = 5000
# SQLite expands a prefix into the words that complete it when there are at most this
# many (see SQLiteBackend.completions).
PREFIX_WORDS = 300


class Lexemes(SearchQueryCombinable, Func):
    """A tsquery literal: its lexemes reach the index as written. to_tsquery() would parse
    them, and its parser splits the period tokens at their "_"."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, literal):
        super().__init__(Value(literal))


class PostgreSQLBackend:
    # Its estimate of a phrase is of the phrase's words together (see estimate).
    estimates_phrases = False

    def _tsquery(self, groups, excluded=(), window=None):
        query = SearchQuery(to_tsquery(groups, excluded), search_type="raw", config="simple")
        if window is not None:
            # A window (archive.search.plan) is one more lexeme group, intersected in the index.
            query &= Lexemes(" | ".join(f"'{t}'" for t in window.tokens))
        return query

    def match(self, articles, groups, excluded=(), window=None):
        # Ranked by the words alone: the window's lexemes only narrow.
        return articles.filter(search_document__vector=self._tsquery(groups, excluded, window)).annotate(
            rank=SearchRank(F("search_document__vector"), self._tsquery(groups), weights=POSTGRESQL_WEIGHTS)
        )

    def matching_ids(self, groups, excluded=(), window=None):
        from archive.models import SearchDocument

        return SearchDocument.objects.filter(vector=self._tsquery(groups, excluded, window)).values("article_id")

    def row_matches(self, groups, window=None):
        """A condition on each article of a search (which match() has joined to its
        search document): does its own vector match `groups`? The article's vector is at
        hand, and the set of `groups`' matches, read instead, would be the whole
        archive's: 280 ms for a popular name beside a rarer word at a million articles."""
        return Q(search_document__vector=self._tsquery(groups))

    def estimate(self, groups, excluded=(), phrases=True, sampled=False):
        """The planner's estimate of the matching search documents (from ANALYZE's
        most common lexemes): no row is read, so `sampled` changes nothing. Phrases or
        not, the same: see below."""
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM archive_searchdocument WHERE vector @@ to_tsquery('simple', %s)",
                # A phrase counted as its words together: the planner has no statistics
                # for word order, and guesses phrases far rarer than they are.
                [to_tsquery(groups, excluded, phrases=False)],
            )
            explained = cursor.fetchone()[0]
        if isinstance(explained, str):
            explained = json.loads(explained)
        return explained[0]["Plan"]["Plan Rows"]

    def rank(self, groups, window=None):
        # Read from each article's own vector: a window changes nothing.
        return SearchRank(F("search_document__vector"), self._tsquery(groups), weights=POSTGRESQL_WEIGHTS)


class SQLiteBackend:
    estimates_phrases = True

    def completions(self, prefix):
        """The indexed words that start with `prefix`, for FTS5 to look up as words: it
        answers a prefix itself by gathering every position of every such word first,
        in each query (4.5 s for "the*" at a million articles, 0.18 s as its 43 words;
        archive.search.schema.SQLITE_WORDS). None, leaving the prefix to FTS5, when no
        word or too many start with it: a query of hundreds of words costs FTS5 more
        than the prefix, bm25 counting each word's articles over the whole index."""
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT word FROM archive_article_fts_words WHERE word >= %s AND word < %s LIMIT %s",
                [prefix, prefix + chr(0x10FFFF), PREFIX_WORDS + 1],
            )
            words = [word for (word,) in cursor.fetchall()]
        return words if 0 < len(words) <= PREFIX_WORDS else None

    def _expression(self, groups, excluded=(), window=None, phrases=True):
        expression = to_fts5(groups, excluded, phrases=phrases, completions=self.completions)
        if window is not None:
            # A window (archive.search.plan) is one more group of tokens, intersected in the index.
            expression = f"({expression}) AND (" + " OR ".join(f'"{t}"' for t in window.tokens) + ")"
        return expression

    def match(self, articles, groups, excluded=(), window=None):
        # A join, ranked in the same statement: FTS5 runs the MATCH once and works out
        # each term's document frequency (for bm25) once. The planner puts the FTS5
        # table first, since only its MATCH narrows; the date orders of search results
        # are expressions (ArticleQuerySet.newest_first), so no index tempts it otherwise.
        expression = self._expression(groups, excluded, window)
        if window is not None and has_phrase(groups):
            # bm25 counts the articles holding each phrase of the query over the whole
            # index, checking positions in every article with its words: a third of a
            # second for a phrase of two very common words, however few articles the
            # window holds. The phrase's matches in the window are found first, then
            # ranked by its words, whose counts the index keeps. (Without a window, the
            # match itself reads the whole index: the count costs no more.)
            # (Exclusions are left to the ids: they add nothing to a match's rank.) Only
            # for as many matches as a list of ids can carry: an export of a very common
            # phrase takes the slow way.
            ids = self.matching_ids(groups, excluded, window).values_list("article_id", flat=True)
            ids = list(ids[: PHRASE_MATCHES_BY_ID + 1])
            if len(ids) <= PHRASE_MATCHES_BY_ID:
                articles = articles.filter(pk__in=ids)
                expression = self._expression(groups, (), window, phrases=False)
        return articles.filter(fts__document__match=expression).annotate(
            rank=-BM25(F("fts__document"), *SQLITE_WEIGHTS)
        )

    def row_matches(self, groups, window=None):
        """Does each article of a search match `groups`? FTS5 answers a MATCH for one row
        by seeking every term's list: the window's matches, read once, cost less."""
        return Q(pk__in=self.matching_ids(groups, window=window))

    def matching_ids(self, groups, excluded=(), window=None):
        from archive.models import ArticleFTS

        return ArticleFTS.objects.filter(document__match=self._expression(groups, excluded, window)).values(
            "article_id"
        )

    def estimate(self, groups, excluded=(), phrases=True, sampled=False):
        """Counted up to the exact limit; above it, extrapolated from the count in the
        newest few thousand articles. FTS5 keeps no document frequencies (fts5vocab
        counts them by reading the whole list), so both are bounded reads, but for a
        phrase of common words that seldom stand together: counting it reads every
        article with its words, which `sampled` skips, extrapolating at once. With
        `phrases=False`, of the articles with all the words."""
        from archive.search.plan import EXACT_LIMIT, probe_window

        expression = self._expression(groups, excluded, phrases=phrases)
        with connections["default"].cursor() as cursor:
            probe = probe_window()
            counted = 0
            if not (sampled and probe is not None):
                cursor.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM archive_article_fts WHERE archive_article_fts MATCH %s LIMIT %s)",
                    [expression, EXACT_LIMIT + 1],
                )
                counted = cursor.fetchone()[0]
                if counted <= EXACT_LIMIT or probe is None:
                    return counted
            cursor.execute(
                "SELECT count(*) FROM archive_article_fts WHERE archive_article_fts MATCH %s",
                [self._expression(groups, excluded, probe.window, phrases=phrases)],
            )
            return max(counted, cursor.fetchone()[0] / probe.share)

    def rank(self, groups, window=None):
        # bm25() exists only inside a MATCH query: the matches in the window are scored
        # in one, and each candidate looks its score up (0 for one matched by a tag).
        return Coalesce(-MatchScores(F("pk"), self._expression(groups, window=window)), Value(0.0))


BACKENDS = {"postgresql": PostgreSQLBackend(), "sqlite": SQLiteBackend()}


def backend_for(using="default"):
    vendor = connections[using].vendor
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"Search supports PostgreSQL and SQLite, not {vendor}.") from None
