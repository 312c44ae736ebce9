"""Coverage over time: how many articles of a result fall in each month or year, and, for a
disputed territory, which sources use each of its names and when.

Like the facets (archive.facets), these count whatever queryset the page passes in, and it
is the page's queryset that decides what is public, so drafts are never counted here; or,
for the whole archive and for one source, actor or territory, the cached numbers of
archive.stats, which count published articles only.
"""

import csv
import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import HttpResponse

from archive.charts import bar_chart
from archive.models import Article, DatePrecision
from archive.search.plan import Result
from archive.search.query import parse
from archive.stats import Scope

# A result spanning more years than this is charted per year, not per month.
MONTHLY_MAX_YEARS = 4


@dataclass
class Coverage:
    unit: str  # "month" or "year"
    periods: list[tuple[str, str, int]]  # (key for CSV, label for people, count)
    undated: int = 0
    year_only: int = 0  # dated only to a year, so left out of a monthly chart

    @property
    def total(self):
        return sum(count for _, _, count in self.periods)

    @property
    def summary(self):
        if not self.periods:
            return "No dated articles."
        first, last = self.periods[0][1], self.periods[-1][1]
        key, label, most = max(self.periods, key=lambda period: period[2])
        span = first if first == last else f"{first} to {last}"
        return (
            f"Published articles per {self.unit}, {span}: {self.total} in all, "
            f"most in {label} ({most})."
        )

    def chart(self):
        return bar_chart(
            [(label, count) for _, label, count in self.periods], summary=self.summary, chart_id="coverage-chart"
        )


def _months(first: datetime.date, last: datetime.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def coverage(articles, *, scope=None) -> Coverage:
    """Counts per month of `articles` (per year over a long span).

    From the cached numbers (archive.stats) when `scope` says what `articles` are, or when
    they are every published article; otherwise one GROUP BY query over `articles`.

    Grouped by year, month and precision: an article dated to a day or a month counts in
    its month; one dated only to a year is stored as 1 January, so it is counted in its
    year when the chart is yearly and left out (and counted as such) when it is monthly,
    rather than piling up in January. Articles with no known date are left out.
    """
    if isinstance(articles, Result):
        if articles.complete:  # every match's date is already read
            return coverage_of(articles.periods())
        articles = articles.queryset
    scope = scope or Scope.of_articles(articles)
    if scope is not None:
        return coverage_of(scope.periods())
    rows = (
        articles.order_by()
        .annotate(year=ExtractYear("published_on"), month=ExtractMonth("published_on"))
        .values_list("year", "month", "date_precision")
        .annotate(n=Count("pk"))
    )
    return coverage_of((year, month, precision == DatePrecision.YEAR, n) for year, month, precision, n in rows)


def coverage_of(periods) -> Coverage:
    """The chart of (year, month, dated to a year only, articles) rows (archive.stats)."""
    undated = 0
    by_month, by_year = {}, {}
    year_only = 0
    for year, month, to_a_year_only, n in periods:
        if year is None:
            undated += n
            continue
        by_year[year] = by_year.get(year, 0) + n
        if to_a_year_only:
            year_only += n
        else:
            first_day = datetime.date(year, month, 1)
            by_month[first_day] = by_month.get(first_day, 0) + n
    if not by_year:
        return Coverage("month", [], undated=undated)
    if not by_month or max(by_year) - min(by_year) + 1 > MONTHLY_MAX_YEARS:
        years = range(min(by_year), max(by_year) + 1)
        return Coverage("year", [(str(y), str(y), by_year.get(y, 0)) for y in years], undated=undated)
    months = _months(min(by_month), max(by_month))
    periods = [(f"{m:%Y-%m}", f"{m:%b} {m.year}", by_month.get(m, 0)) for m in months]
    return Coverage("month", periods, undated=undated, year_only=year_only)


def coverage_csv(coverage: Coverage, filename="chancery-coverage.csv") -> HttpResponse:
    """The chart's numbers: one row per period, empty periods included."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([coverage.unit, "articles"])
    writer.writerows((key, count) for key, _, count in coverage.periods)
    return response


# --- Who says what ---------------------------------------------------------------------------


def is_disputed(territory) -> bool:
    """Two or more claimants, or several official names (reads the page's prefetches)."""
    claimants = territory.claimants.all()
    preferred = {n.name for n in territory.names.all() if n.preferred}
    return len(claimants) >= 2 or len(preferred) >= 2


@dataclass
class NameUse:
    name: object  # TerritoryName
    # (source slug or None, source name, {year or None: count}, total), most articles first
    sources: list = field(default_factory=list)
    per_year: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(row[3] for row in self.sources)


@dataclass
class NamesInUse:
    uses: list[NameUse]
    years: list[int]

    @property
    def max_count(self):
        return max((count for use in self.uses for count in use.per_year.values()), default=0)

    def charts(self):
        """One small chart per name, on the same years and the same scale."""
        for n, use in enumerate(self.uses, 1):
            span = f", {self.years[0]} to {self.years[-1]}" if len(self.years) > 1 else ""
            summary = f"Published articles containing “{use.name.name}” per year{span}: {use.total} in all."
            data = [(str(year), use.per_year.get(year, 0)) for year in self.years]
            yield use, bar_chart(
                data, summary=summary, chart_id=f"names-chart-{n}", max_count=self.max_count, height=110
            )


def _year_order(item):
    year, _ = item
    return (year is None, year or 0)


def names_in_use(territory) -> NamesInUse:
    """For each name of `territory`: the published articles whose text has that exact
    phrase, by source and by year. One query per name (its names are prefetched), with no
    alias expansion, so that "Southern Kurils" counts only articles that say it."""
    uses = []
    years = set()
    for name in territory.names.all():
        # Quotes would end the phrase early; inside a phrase they separate words anyway.
        query = parse('"{}"'.format(name.name.replace('"', " ")))
        rows = (
            Article.objects.published()
            .search(query)
            .order_by()
            .annotate(year=ExtractYear("published_on"))
            .values("source__slug", "source__name", "year")
            .annotate(n=Count("pk"))
        )
        per_source, per_year = {}, {}
        for row in rows:
            per_source.setdefault((row["source__slug"], row["source__name"]), {})[row["year"]] = row["n"]
            if row["year"] is not None:
                per_year[row["year"]] = per_year.get(row["year"], 0) + row["n"]
        sources = [
            (slug, source, sorted(counts.items(), key=_year_order), sum(counts.values()))
            for (slug, source), counts in per_source.items()
        ]
        sources.sort(key=lambda row: (-row[3], row[1] or ""))
        years.update(per_year)
        uses.append(NameUse(name, sources, per_year))
    return NamesInUse(uses, list(range(min(years), max(years) + 1)) if years else [])
