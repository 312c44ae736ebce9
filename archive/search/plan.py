"""Planning a search by its size, so that a word found in a third of the archive costs
about as much as a rare one.

Ranking, ordering or counting every match of a common word reads every matching row, and
at a million articles that is hundreds of thousands of rows. So a search is planned first:

- The engine estimates how many articles the text matches, from its own statistics
  (PostgreSQL's planner, FTS5's document frequencies): well under a millisecond.
- Up to EXACT_LIMIT matches, every match is ranked and counted exactly.
- Above it, the search looks at a window: the newest days of the archive (the oldest,
  for oldest-first), or of the dates the reader asked for, expected to hold about
  CANDIDATES matches, or as many as the page asked for needs. Both full-text indexes
  carry each article's period tokens (`_y2016`, `_m201605`, `_d20160509`), so the window is one more term of the full-text query (whole
  years and months as one token each), intersected inside the index; only the window's
  matches are read, ranked and counted. The total is then an estimate, and pages say
  "about". Both indexes keep their lists in id order, and in an archive that grows by
  imports the newest articles have the highest ids, so the window's part of a common
  word's list is one short stretch.
- A window that filters, or a phrase rarer than its words, leave thin is widened at the
  density of matches it showed, reading at most about READ_BUDGET articles with the
  query's words unless the page needs more to fill itself.
- Whatever the plan, a page reads its matches once (Result): their ids and dates in the
  page's order, from which its count, rows, facets' sample and chart all come.

Relevance therefore ranks the newest several hundred matches of a very common query, not
all of them: for news, the recent coverage of a common word is what a reader most likely
wants, and sorting by date or narrowing by source, tag or date reaches the rest.
"""

import bisect
import calendar
import datetime
import math
import uuid
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.db.models import Count, Q

from archive.search.query import has_phrase

# At most this many matches are ranked and counted exactly.
EXACT_LIMIT = 1500
# A window is chosen to hold about this many matches for relevance ranking.
CANDIDATES = 600
# Articles a window may hold that have all the query's words, phrase or not, unless the
# page needs more: a phrase is checked article by article, and a phrase of common words
# can be rare (PostgreSQL's estimate is of the words together; see the backends).
READ_BUDGET = 3000
# A search's matches are read in one query, as ids and dates in the page's order: this
# many at most (more when a deep page needs them), which holds every match of an exact
# plan or a window and the facets' sample.
FETCH_LIMIT = 3000
# A window that would cover more than this share of the dated articles is no window.
WHOLE_ARCHIVE = 0.8
# Enough articles to extrapolate a query's frequency from (see probe_window).
PROBE_ARTICLES = 4000
# How many times a window is widened when filters, or a phrase rarer than its words, leave it thin.
MAX_WIDENINGS = 3
# Articles with all of a phrase's words that one search checks for it, at most. Neither
# index keeps where words stand (GIN) or finds a phrase without reading its words'
# positions article by article (FTS5), so a phrase of common words that seldom stand
# together costs an article's read for each article with the words: at a million
# articles, 6 to 10 s on PostgreSQL and about a second on SQLite for one found nowhere.
# Past this many, the phrase is looked for in the newest (or oldest) articles that hold
# them, and the page says from which day (Plan.partial).
PHRASE_READ_LIMIT = 10_000
# Dates holding at most this share of the archive narrow a search inside the index too
# (range_window); beyond it, their tokens would cost more to merge than they save.
RANGE_SHARE = 0.25

HISTOGRAM_KEY = "archive:search-days"
HISTOGRAM_SECONDS = 600


def period_tokens(published_on: datetime.date | str | None, precision: str) -> str:
    """An article's period tokens: its year, and its month and day as far as known."""
    if published_on is None or precision == "unknown":
        return ""
    if isinstance(published_on, str):  # as assigned, before the model has cleaned it
        published_on = datetime.date.fromisoformat(published_on)
    y, m, d = published_on.year, published_on.month, published_on.day
    tokens = [f"_y{y:04d}"]
    if precision in ("month", "day"):
        tokens.append(f"_m{y:04d}{m:02d}")
    if precision == "day":
        tokens.append(f"_d{y:04d}{m:02d}{d:02d}")
    return " ".join(tokens)


@dataclass(frozen=True)
class Window:
    """The newest (or oldest) days of the archive a search looks at."""

    tokens: tuple[str, ...]
    start: datetime.date | None  # newest-first windows: from this day on
    end: datetime.date | None  # oldest-first windows: up to this day
    articles: int  # dated published articles in it, for extrapolating counts
    # Its share of the dated published articles it was taken from (the archive's, or
    # those between the dates asked for): a count in it extrapolates by this.
    share: float = 1.0

    @property
    def dates(self) -> Q:
        """The same window as a condition on the article's date (for tag matches)."""
        if self.start is not None:
            return Q(published_on__gte=self.start)
        return Q(published_on__lte=self.end)


@dataclass
class Plan:
    """How a search was run: exactly, or in a window, and what the page may say."""

    estimate: int  # matches expected in the whole archive
    window: Window | None = None
    window_count: int | None = None  # matches in the window, every filter applied
    # The window is all that was searched, and may not hold the page: a phrase whose
    # words are in more articles than PHRASE_READ_LIMIT, checked in that many.
    partial: bool = False

    @property
    def exact(self) -> bool:
        return self.window is None

    def estimated_total(self) -> int:
        """The whole result's size, extrapolated from the window, rounded as estimates are."""
        if self.window is None or not self.window.articles:
            return self.window_count or 0
        return round_estimate(max(self.window_count, self.window_count / self.window.share))


def round_estimate(n: float) -> int:
    """Two significant figures: 312,345 → 310,000."""
    if n < 100:
        return int(n)
    digits = int(math.floor(math.log10(n))) - 1
    return int(round(n, -digits))


class Days:
    """Published articles per day, oldest first, with what windows are made of."""

    def __init__(self, rows):
        self.rows = rows  # [(date, articles)]
        self.dates = [day for day, _ in rows]
        self.total = sum(n for _, n in rows)
        self.by_year, self.by_month = {}, {}
        for day, _ in rows:
            self.by_year.setdefault(day.year, set()).add(day)
            self.by_month.setdefault((day.year, day.month), set()).add(day)

    def between(self, start: datetime.date | None, end: datetime.date | None):
        """(rows, articles) of the days from `start` to `end`, either open."""
        if start is None and end is None:
            return self.rows, self.total
        first = 0 if start is None else bisect.bisect_left(self.dates, start)
        last = len(self.rows) if end is None else bisect.bisect_right(self.dates, end)
        rows = self.rows[first:last]
        return rows, sum(n for _, n in rows)


# This process's histogram and the version it was built for (as for the alias index):
# it only steers the choice of windows, so a few minutes' staleness is harmless.
_local = {"version": None, "days": None}


def day_histogram() -> Days:
    version = cache.get(HISTOGRAM_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(HISTOGRAM_KEY, version, HISTOGRAM_SECONDS)
    if _local["version"] != version:
        from archive.models import Article

        rows = list(
            Article.objects.published()
            .exclude(published_on=None)
            .order_by()
            .values_list("published_on")
            .annotate(n=Count("pk"))
            .order_by("published_on")
        )
        _local["days"], _local["version"] = Days(rows), version
    return _local["days"]


def _take(rows, articles, newest=True):
    """The newest (or oldest) of these days holding `articles` articles: (days taken,
    articles in them)."""
    taken, count = [], 0
    for day, n in reversed(rows) if newest else rows:
        taken.append(day)
        count += n
        if count >= articles:
            break
    return taken, count


def _window(taken, articles, newest, days, share) -> Window:
    """Tokens for a run of days: a year's token where all of its days with articles are
    in, else a month's where all of the month's are, else the days'."""
    taken_set = set(taken)
    tokens = []
    for year in sorted({d.year for d in taken}):
        if days.by_year[year] <= taken_set:
            tokens.append(f"_y{year:04d}")
            continue
        for month in sorted({d.month for d in taken if d.year == year}):
            if days.by_month[(year, month)] <= taken_set:
                tokens.append(f"_m{year:04d}{month:02d}")
            else:
                tokens += [f"_d{d:%Y%m%d}" for d in sorted(taken) if (d.year, d.month) == (year, month)]
    if newest:
        return Window(tuple(tokens), min(taken), None, articles, share)
    return Window(tuple(tokens), None, max(taken), articles, share)


def window_of(articles: int, newest: bool = True, start=None, end=None) -> Window | None:
    """The newest (or oldest) days holding about `articles` dated articles, of the whole
    archive or of the days from `start` to `end`; None when that is nearly all of them.

    A search between dates takes its window there: one taken from the newest days of
    the archive would hold none of an older period's matches, and be widened until it
    held the whole archive."""
    days = day_histogram()
    rows, available = days.between(start, end)
    if not available or articles / available >= WHOLE_ARCHIVE:
        return None
    taken, count = _take(rows, articles, newest)
    return _window(taken, count, newest, days, count / available)


def range_window(start, end) -> Window | None:
    """Tokens for every day from `start` to `end` (either open), to narrow a search between
    dates inside the index, when the dates hold no more than RANGE_SHARE of the archive
    (else None).

    The search stays exact, so the tokens come from the calendar, not from the days the
    histogram (minutes old) has articles on: every day, month and year from `start` to
    `end`, and a month's or a year's token wherever its first day is between them, for the
    articles dated only to that month or year. They may also cover a few articles outside
    the dates, which the date filter itself leaves out. An open end is closed at the
    archive's first or last dated article, as it is now."""
    days = day_histogram()
    _, available = days.between(start, end)
    if available > RANGE_SHARE * days.total:
        return None
    if not days.dates or start is None or end is None or start < days.dates[0] or end > days.dates[-1]:
        first, last = _published_span()
        if first is None:
            return None  # nothing published: nothing to narrow
        start = first if start is None else max(start, first)
        end = last if end is None else min(end, last)
    # No published article between the dates: one day's tokens, which the date filter
    # then empties.
    end = max(start, end)
    return Window(_calendar_tokens(start, end), start, None, available, 1.0)


def _published_span():
    """The first and the last day of a published article, read from the date index."""
    from archive.models import Article

    dated = Article.objects.published().exclude(published_on=None).values_list("published_on", flat=True)
    return dated.order_by("published_on").first(), dated.order_by("-published_on").first()


def _calendar_tokens(start: datetime.date, end: datetime.date) -> tuple[str, ...]:
    """Period tokens (period_tokens) covering every day from `start` to `end`, whole years
    and months as one token each, and the month's and year's tokens of each first day."""
    tokens = []
    day = start
    while True:
        year, month = f"_y{day.year:04d}", f"_m{day.year:04d}{day.month:02d}"
        last = datetime.date(day.year, 12, 31)
        if (day.month, day.day) == (1, 1) and last <= end:
            tokens.append(year)
        else:
            last = datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
            if day.day == 1:
                # Articles dated only to this month, or to this year, carry no day's token.
                tokens += [month, year] if day.month == 1 else [month]
            if day.day != 1 or last > end:
                last = day
                tokens.append(f"_d{day.year:04d}{day.month:02d}{day.day:02d}")
        if last >= end:  # also where the next day would be past the calendar's last
            return tuple(tokens)
        day = last + datetime.timedelta(days=1)


def _window_size(per_article: float, wanted: int, words: int) -> int:
    """How many articles a window should hold, at `per_article` matches per article:
    enough for CANDIDATES matches (or the page's `wanted` rows, if more), but no more
    than READ_BUDGET articles with the query's words (about `words` in the archive)
    unless the page needs more."""
    budget = READ_BUDGET * (total_published() or 1) / max(words, 1)
    return int(max(wanted / per_article * 1.25, min(max(wanted, CANDIDATES) / per_article, budget)))


@dataclass(frozen=True)
class Probe:
    window: Window
    share: float  # of the dated published articles


def probe_window() -> Probe | None:
    """The newest days holding at least PROBE_ARTICLES articles, for extrapolating how
    common a query is (SQLite); None when that is most of the archive."""
    days = day_histogram()
    taken, count = _take(days.rows, PROBE_ARTICLES)
    if not days.total or count / days.total >= WHOLE_ARCHIVE:
        return None
    return Probe(_window(taken, count, True, days, count / days.total), count / days.total)


def total_published() -> int:
    """Dated published articles (the histogram's)."""
    return day_histogram().total


def estimate(query, using="default", *, phrases=True, sampled=False) -> int:
    """How many articles `query` may match, from the engine's statistics; with
    `phrases=False`, how many have all of its words, which is what the engine reads to
    find a phrase's matches. `sampled`: from the newest articles only, where the engine
    would otherwise read a phrase's words in every article to count it."""
    from archive.search.backends import backend_for

    backend = backend_for(using)
    if not any(group.entities for group in query.groups):
        return int(backend.estimate(query.groups, query.excluded, phrases=phrases, sampled=sampled))
    # A name also matches the articles tagged with it: add those, groups independent.
    n = max(total_published(), 1)
    share = 1.0
    for group in query.groups:
        matches = backend.estimate([group], phrases=phrases, sampled=sampled) + (
            _tagged_count(group.entities) if group.entities else 0
        )
        share *= min(1.0, matches / n)
    return int(share * n)  # exclusions left out: an overestimate, which only widens less


def _tagged_count(entities) -> int:
    from archive.models import ArticleActor, ArticleTerritory

    actors = [e.pk for e in entities if e.kind == "actor"]
    territories = [e.pk for e in entities if e.kind == "territory"]
    count = 0
    if actors:
        count += ArticleActor.objects.filter(actor__in=actors).count()
    if territories:
        count += ArticleTerritory.objects.filter(territory__in=territories).count()
    return count


class Result:
    """A search's matches in the page's order, read in one query: the ids and dates of
    all of them up to FETCH_LIMIT (or as many as the page needs). The count, the page's
    rows, the facets' sample and the coverage chart all come from these, instead of each
    running the search again; past the limit (an estimate far too low), the queryset
    answers. Pages itself like a queryset for archive.pagination.ArchivePaginator.

    Also an unsearched list's, when no cached numbers describe it (ArticleFilter.
    filter_queryset): past the limit, its size is then `extrapolated`, not counted."""

    def __init__(self, matches, sort, wanted, *, searched=True):
        self.model = matches.model
        # A search's matches are few enough to sort; an unsearched list is read in the
        # order of the date index (ArticleQuerySet.newest_first).
        self.queryset = matches.sorted_by(sort, matches=searched)
        limit = max(wanted, FETCH_LIMIT)
        # The source too, for the facets' sample (archive.facets): the rows are read anyway.
        rows = list(self.queryset.values_list("pk", "published_on", "date_precision", "source")[: limit + 1])
        self.complete = len(rows) <= limit  # every match is in `rows`
        self.rows = rows[:limit]

    def count(self) -> int:
        if self.complete:
            return len(self.rows)
        if not hasattr(self, "_count"):
            self._count = self.queryset.count()
        return self._count

    def extrapolated(self, newest: bool = True, start=None, end=None) -> int:
        """The whole result's size when it is not `complete`, rounded as estimates are:
        the rows read are its first in date order, so they cover the days from its top
        (newest or oldest) to the last one read, and the published articles on those days
        against those on every day from `start` to `end` (the day histogram) scale their
        number. Read into the undated, which come last, every dated one has been: then
        counted."""
        last = self.rows[-1][1]
        if last is None:
            return self.count()
        days = day_histogram()
        covered = days.between(last, end)[1] if newest else days.between(start, last)[1]
        available = days.between(start, end)[1]
        # The histogram is minutes old: it may have seen fewer articles than were read.
        n = len(self.rows)
        return round_estimate(max(n + 1, n * available / max(covered, n)))

    def page_rows(self, bottom, top):
        if top <= len(self.rows) or self.complete:
            return self.queryset.rows_in_order([row[0] for row in self.rows[bottom:top]])
        return self.queryset.page_rows(bottom, top)

    def first_rows(self, n):
        """(pk, published_on, source id) of the first `n`, as ArticleQuerySet.first_rows."""
        if n > len(self.rows) and not self.complete:
            return self.queryset.first_rows(n)
        return [(pk, day, source) for pk, day, _, source in self.rows[:n]]

    def periods(self):
        """(year, month, dated to a year only, articles) rows of every match (archive.stats
        Period), for the coverage chart: only when `complete`."""
        counted = {}
        for _, day, precision, _ in self.rows:
            if day is None or precision == "unknown":
                key = (None, None, False)
            else:
                key = (day.year, day.month, precision == "year")
            counted[key] = counted.get(key, 0) + 1
        return [(*key, n) for key, n in counted.items()]


def plan(articles, query, *, wanted: int | None, sort: str = "relevance", dates=(None, None)):
    """Run `query` over `articles` (already filtered), for a page needing its first
    `wanted` rows in the order `sort`: (Result, Plan). `dates`: the first and last day
    that `articles` were filtered to, if they were.

    With `wanted` None (exports: every match), (the matching queryset, annotated with
    `rank` and not yet ordered, Plan).
    """
    start, end = dates
    if wanted is None or not query:
        # Every match, between the dates if any: read in their part of the index.
        window = range_window(start, end) if query and (start or end) else None
        return articles.search(query, window=window), Plan(estimate=0)
    from archive.search.backends import backend_for

    # The articles with a phrase's words, which the engine reads to find it (an excluded
    # word leaves articles out only after that). Where the engine estimates a phrase by
    # its words anyway, or they are few enough to be read in full, they are the estimate.
    phrase = has_phrase(query.groups)
    estimates_phrases = backend_for(articles.db).estimates_phrases
    guess = words = None
    if phrase:
        words = estimate(replace(query, excluded=[]), articles.db, phrases=False)
        if words <= EXACT_LIMIT or not (query.excluded or estimates_phrases):
            guess = words
        elif estimates_phrases:
            guess = estimate(query, articles.db, sampled=words > PHRASE_READ_LIMIT)  # in the whole archive
    if guess is None:
        guess = estimate(query, articles.db)
    if words is None:
        words = guess
    total = total_published() or 1
    # The most articles a window may hold: as many as a phrase is checked in.
    limit = PHRASE_READ_LIMIT * total / max(words, 1) if phrase else math.inf
    expected = guess
    if start or end:
        # Between the dates, at the archive's density.
        days = day_histogram()
        expected = int(guess * days.between(start, end)[1] / (days.total or 1))
    if expected <= EXACT_LIMIT and (limit == math.inf or window_of(limit, True, start, end) is None):
        # A common word between close dates: read only their part of the index. (A rare
        # phrase of common words is looked for in windows, as a common one is.)
        window = range_window(start, end) if expected < guess else None
        return Result(articles.search(query, window=window), sort, wanted), Plan(estimate=expected)
    newest = sort != "oldest"
    # (A phrase not seen in the sample that estimated it starts at the most it may read.)
    size = min(_window_size(max(guess, 1) / total, wanted, words), limit)
    for attempt in range(MAX_WIDENINGS + 1):
        window = window_of(size, newest, start, end)
        if window is None:
            break
        result = Result(articles.search(query, window=window), sort, wanted)
        found = result.count()
        # At the density seen (a phrase rarer than its words, or filters, thin a
        # window); none seen, eight times the articles.
        size = _window_size(found / window.articles, wanted, words) if found else window.articles * 8
        # Enough for the page, and about as many as that density asks for, or no
        # widening left: ranked here. Else widened, at least twofold.
        if found >= wanted and (size <= window.articles * 2 or attempt == MAX_WIDENINGS):
            return result, Plan(estimate=expected, window=window, window_count=found)
        if limit != math.inf and (window.articles >= limit or attempt == MAX_WIDENINGS):
            # The phrase was checked in as many articles as a search checks it in.
            return result, Plan(estimate=expected, window=window, window_count=found, partial=True)
        size = min(max(size, window.articles * 2), limit)
    window = range_window(start, end) if start or end else None
    return Result(articles.search(query, window=window), sort, wanted), Plan(estimate=expected)
