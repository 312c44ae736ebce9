"""Planning a search by its size, so that a word found in a third of the archive costs
about as much as a rare one.

Ranking, ordering or counting every match of a common word reads every matching row, and
at a million articles that is hundreds of thousands of rows. So a search is planned first:

- The engine estimates how many articles the text matches, from its own statistics
  (PostgreSQL's planner, FTS5's document frequencies): well under a millisecond.
- Up to EXACT_LIMIT matches, every match is ranked and counted exactly.
- Above it, the search looks at a window: the newest months of the archive (the oldest,
  for oldest-first) expected to hold about CANDIDATES matches, or as many as the page asked
  for needs. Both full-text indexes carry each article's period tokens (`_y2016`,
  `_m201605`), so the window is one more term of the full-text query, intersected inside
  the index; only the window's matches are read, ranked and counted. The total is then
  an estimate, and pages say "about".

Relevance therefore ranks the newest few thousand matches of a very common query, not all
of them: for news, the recent coverage of a common word is what a reader most likely
wants, and sorting by date or narrowing by source, tag or date reaches the rest.
"""

import datetime
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connections
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear

# At most this many matches are ranked and counted exactly.
EXACT_LIMIT = 3000
# A window is chosen to hold about this many matches for relevance ranking.
CANDIDATES = 1000
# A window that would cover more than this share of the dated articles is no window.
WHOLE_ARCHIVE = 0.8
# How many times a window is widened when filters leave too few matches in it.
MAX_WIDENINGS = 3

HISTOGRAM_KEY = "archive:search-months"
HISTOGRAM_SECONDS = 600


def period_tokens(published_on: datetime.date | None, precision: str) -> str:
    """An article's period tokens: its year, and its month when it is known."""
    if published_on is None or precision == "unknown":
        return ""
    year = f"_y{published_on.year:04d}"
    if precision == "year":
        return year
    return f"{year} _m{published_on.year:04d}{published_on.month:02d}"


@dataclass(frozen=True)
class Window:
    """The newest (or oldest) months of the archive a search looks at."""

    tokens: tuple[str, ...]
    start: datetime.date | None  # newest-first windows: from this day on
    end: datetime.date | None  # oldest-first windows: up to this day
    articles: int  # dated published articles in it, for extrapolating counts

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

    @property
    def exact(self) -> bool:
        return self.window is None

    def estimated_total(self, total_articles: int) -> int:
        """The whole result's size, extrapolated from the window, rounded as estimates are."""
        if self.window is None or not self.window.articles:
            return self.window_count or 0
        share = self.window.articles / max(total_articles, 1)
        return round_estimate(max(self.window_count, self.window_count / share))


def round_estimate(n: float) -> int:
    """Two significant figures: 312,345 → 310,000."""
    if n < 100:
        return int(n)
    digits = int(math.floor(math.log10(n))) - 1
    return int(round(n, -digits))


def month_histogram() -> list[tuple[int, int, int]]:
    """(year, month, published articles), oldest first; cached, since it only steers
    the choice of windows (results never depend on it)."""
    rows = cache.get(HISTOGRAM_KEY)
    if rows is None:
        from archive.models import Article

        rows = [
            (row["year"], row["month"], row["n"])
            for row in Article.objects.published()
            .exclude(published_on=None)
            .order_by()
            .annotate(year=ExtractYear("published_on"), month=ExtractMonth("published_on"))
            .values("year", "month")
            .annotate(n=Count("pk"))
            .order_by("year", "month")
        ]
        cache.set(HISTOGRAM_KEY, rows, HISTOGRAM_SECONDS)
    return rows


def choose_window(estimate: int, wanted: int, newest: bool = True) -> Window | None:
    """The fewest newest (or oldest) months expected to hold `wanted` of `estimate`
    matches spread like the archive; None when that is nearly the whole archive."""
    months = month_histogram()
    total = sum(n for _, _, n in months)
    if not total or estimate <= 0:
        return None
    needed_share = wanted / estimate
    if needed_share >= WHOLE_ARCHIVE:
        return None
    ordered = list(reversed(months)) if newest else months
    taken, articles = [], 0
    for year, month, n in ordered:
        taken.append((year, month))
        articles += n
        if articles / total >= needed_share:
            break
    if articles / total >= WHOLE_ARCHIVE:
        return None
    return _window(taken, articles, newest, {(y, m) for y, m, _ in months})


def _window(taken, articles, newest, present) -> Window:
    """Tokens for a run of months: a year's token where all of its months are in."""
    by_year: dict[int, set[int]] = {}
    for year, month in taken:
        by_year.setdefault(year, set()).add(month)
    tokens = []
    for year, months in sorted(by_year.items()):
        in_data = {m for y, m in present if y == year}
        if in_data <= months:
            tokens.append(f"_y{year:04d}")
        else:
            tokens += [f"_m{year:04d}{m:02d}" for m in sorted(months)]
    first, last = min(taken), max(taken)
    if newest:
        return Window(tuple(tokens), datetime.date(first[0], first[1], 1), None, articles)
    end = datetime.date(last[0] + (last[1] == 12), last[1] % 12 + 1, 1) - datetime.timedelta(days=1)
    return Window(tuple(tokens), None, end, articles)


def widened(window: Window, estimate: int, factor: float, newest: bool) -> Window | None:
    """A window holding about `factor` times as many articles as `window`."""
    months = month_histogram()
    total = sum(n for _, _, n in months) or 1
    return choose_window(estimate, int(estimate * min(1.0, window.articles * factor / total)) + 1, newest)


def total_published() -> int:
    return sum(n for _, _, n in month_histogram())


def estimate(query, using="default") -> int:
    """How many articles `query` may match, from the engine's statistics."""
    from archive.search.backends import backend_for

    backend = backend_for(using)
    if not any(group.entities for group in query.groups):
        return int(backend.estimate(query.groups, query.excluded))
    # A name also matches the articles tagged with it: add those, groups independent.
    n = max(total_published(), 1)
    share = 1.0
    for group in query.groups:
        matches = backend.estimate([group]) + (_tagged_count(group.entities) if group.entities else 0)
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


def plan(articles, query, *, wanted: int | None, newest: bool = True):
    """Run `query` over `articles` (already filtered): (matching queryset, Plan).

    `wanted` is how many rows the page needs from the top (None: all of them, for
    exports). The queryset is annotated with `rank` and not yet ordered.
    """
    if wanted is None or not query:
        return articles.search(query), Plan(estimate=0)
    guess = estimate(query, articles.db)
    if guess <= EXACT_LIMIT:
        return articles.search(query), Plan(estimate=guess)
    target = max(wanted, CANDIDATES)
    window = choose_window(guess, target, newest)
    for _ in range(MAX_WIDENINGS + 1):
        if window is None:
            return articles.search(query), Plan(estimate=guess)
        matches = articles.search(query, window=window)
        count = matches.count()
        if count >= wanted and count * 4 >= min(target, guess):
            return matches, Plan(estimate=guess, window=window, window_count=count)
        # Filters left too few: widen in proportion to what is missing.
        factor = 2 * target / max(count, 1)
        window = widened(window, guess, factor, newest)
    return articles.search(query), Plan(estimate=guess)
