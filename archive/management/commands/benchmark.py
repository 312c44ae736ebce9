"""`python manage.py benchmark`: how fast each public page is, measured, with its floor.

Every request goes through the whole Django stack (middleware, views, templates) with the
test client. For each it reports p50/p95/p99 latency, with nothing recorded; then, from
the same request made again with its queries recorded, the queries it ran and the time
the page spent in SQL; and in the same run the raw-SQL floor (the page's own SQL statements
replayed directly on the database) and, for the requests where Django's documentation
leads somewhere slower, a naive baseline: SearchRank or bm25 over every match, an exact
count() and GROUP BY facets over the whole result. Search words are chosen by how many
articles contain them (five document-frequency bands), several per band in rotation.
Last, the ingest rate: articles/s of a bulk load through Article.objects.bulk_create,
search index included, in a transaction rolled back so that the archive is unchanged.
Before and after the pages it times a fixed Python loop: the machine's speed, by which
runs on different machines, or on one whose host was busier, can be compared.
Prints Markdown tables and writes the figures as JSON.
"""

import gc
import itertools
import json
import random
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from archive.management.commands.generate_corpus import synthetic_articles
from archive.models import Actor, Article
from archive.search.fts5 import BM25
from archive.search.query import parse, to_fts5, to_tsquery
from archive.search.text import stem, words
from archive.startup import freeze_startup

BANDS = [("0.02%", 0.0002), ("0.1%", 0.001), ("1%", 0.01), ("10%", 0.10), ("≥30%", 0.30)]
WORDS_PER_BAND = 4


class Command(BaseCommand):
    help = "Measure every public page: latency percentiles, queries, the SQL floor and a naive baseline."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="Timed runs per request (default 20).")
        parser.add_argument("--warmup", type=int, default=2, help="Untimed runs of each URL first (default 2).")
        parser.add_argument("--json", default="benchmark.json", help="Where to write the figures.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--ingest",
            type=int,
            default=2000,
            help="Articles in the ingest measurement, rolled back afterwards (default 2000; 0 skips it).",
        )

    def handle(self, *args, runs, warmup, seed, ingest, **options):
        output = Path(options["json"])
        published = Article.objects.published()
        total = published.count()
        if total < 100:
            raise CommandError("Too few published articles to measure; run generate_corpus first.")
        rng = random.Random(seed)
        bands = _words_by_band(total, rng)
        # The articles (and so the phrases) from their own generator: the same on both databases.
        requests = _requests(bands, random.Random(seed), total)
        self.stdout.write(f"Measuring {len(requests)} requests over {total:,} published articles ({connection.vendor}).")
        results = []
        # As the production process starts (archive.wsgi): what is loaded by now is kept
        # out of the garbage collector's full passes, for the pages.
        freeze_startup()
        cpu_before = _cpu_reference()
        # Pages render as in production, whatever this shell's DEBUG: templates compiled
        # without debug information (the engines are rebuilt for it) and no query log.
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            client = Client()
            for name, urls, naive in requests:
                result = _measure(client, name, urls, naive, runs, warmup)
                results.append(result)
                self.stdout.write(
                    f"  {name}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, {result['queries']} queries"
                )
        # After the pages, so that what it leaves behind (dead rows) cannot slow them.
        cpu = {"before": cpu_before, "after": _cpu_reference()}
        gc.unfreeze()  # the process may go on (a test's): what it froze may be collected again
        figures = {
            "vendor": connection.vendor,
            "articles": total,
            "runs": runs,
            "cpu_reference_ms": cpu,
            "bands": bands,
            "results": results,
        }
        if ingest:
            self.stdout.write(f"Ingesting {ingest:,} articles (rolled back)…")
            figures["ingest"] = _measure_ingest(ingest, seed)
        self.stdout.write("")
        self.stdout.write(_table(results, total))
        if ingest:
            self.stdout.write("")
            self.stdout.write(_ingest_line(figures["ingest"]))
        self.stdout.write("")
        self.stdout.write(_cpu_line(cpu))
        output.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        self.stdout.write(f"\nFigures written to {output}.")


# Steps of the loop that measures how fast this machine runs Python (_cpu_reference).
CPU_REFERENCE_STEPS = 2_000_000


def _cpu_reference():
    """Milliseconds a fixed pure-Python loop takes (median of three). A virtual machine's
    speed varies with its host's load, from one machine to the next and within an hour
    on the same one: taken before and after the pages, it tells whether a run's figures
    can be compared with another's, and that a run's machine stayed as fast throughout."""
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for step in range(CPU_REFERENCE_STEPS):
            total += step
        seconds.append(time.perf_counter() - started)
    return round(statistics.median(seconds) * 1000, 1)


def _cpu_line(cpu):
    return (
        f"CPU reference (a {CPU_REFERENCE_STEPS:,}-step Python loop, median of 3): {cpu['before']:.0f} ms before "
        f"the pages, {cpu['after']:.0f} ms after; the lower, the faster the machine was."
    )


def _words_by_band(total, rng):
    """{band: [words]}: words whose share of articles is near each band's."""
    frequencies = _document_frequencies(total)
    bands = {}
    for label, share in BANDS:
        if share >= 0.30:
            candidates = [t for t, df in frequencies.items() if df / total >= share]
        else:
            candidates = [t for t, df in frequencies.items() if share / 2 <= df / total <= share * 2]
        candidates = [t for t in sorted(candidates) if t.isalpha() and stem(t) == t]
        rng.shuffle(candidates)
        if candidates:
            bands[label] = candidates[:WORDS_PER_BAND]
    return bands


def _document_frequencies(total):
    """{term: number of articles containing it}, from the search index itself."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.benchmark_vocab USING fts5vocab(main, archive_article_fts, 'row')"
            )
            cursor.execute("SELECT term, doc FROM temp.benchmark_vocab")
            return dict(cursor.fetchall())
        # ts_stat over every vector reads the whole index; a sample estimates it well.
        sample = min(100.0, max(1.0, 2_000_000 / max(total, 1) / 100))
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat(%s)",
            [f"SELECT vector FROM archive_searchdocument TABLESAMPLE SYSTEM ({sample}) REPEATABLE (1)"],
        )
        scale = 100.0 / sample
        return {word: int(ndoc * scale) for word, ndoc in cursor.fetchall()}


def _random_articles(rng, n):
    """`n` published articles chosen by the seeded generator: the same ones every run."""
    ids = sorted(Article.objects.published().values_list("pk", flat=True))
    chosen = rng.sample(ids, min(n, len(ids)))
    by_id = Article.objects.in_bulk(chosen)
    return [by_id[pk] for pk in chosen]


def _requests(bands, rng, total):
    """(name, [urls in rotation], naive baseline or None)."""
    articles = _random_articles(rng, 10 + WORDS_PER_BAND)
    actor = Actor.objects.most_covered().first()
    common = bands.get("1%") or next(iter(bands.values()))
    requests = [
        ("home", ["/"], None),
        ("list", ["/articles/"], _naive_list),
        (
            "actor + dates",
            [f"/articles/?actor={actor.slug}&from=2015&to=2020"],
            None,
        ),
    ]
    for label, band_words in bands.items():
        requests.append((f"search {label} relevance", [f"/articles/?format=json&q={w}" for w in band_words], _naive_search))
        requests.append(
            (f"search {label} newest", [f"/articles/?format=json&sort=newest&q={w}" for w in band_words], None)
        )
    # Phrases as they occur: the first two words of some articles' leads.
    phrases = [" ".join(words(article.lead)[:2]) for article in articles[10:]]
    requests += [
        ("phrase", [f'/articles/?format=json&q="{phrase}"' for phrase in phrases], _naive_search),
        ("two words AND", [f"/articles/?format=json&q={a}+{b}" for a, b in itertools.pairwise(common)], _naive_search),
        ("two words OR", [f"/articles/?format=json&q={a}+OR+{b}" for a, b in itertools.pairwise(common)], _naive_search),
        ("search with facets", [f"/articles/?q={w}" for w in common], _naive_search_with_facets),
        ("list page 2,000", ["/articles/?page=2000" if total > 50_000 else "/articles/?page=last"], None),
        ("article page", [a.get_absolute_url() for a in articles[:10]], None),
        ("CSV export", [_csv_url_near(10_000)], None),
    ]
    return requests


def _csv_url_near(rows):
    """A filter whose result has about `rows` articles: the year closest to it."""
    years = (
        Article.objects.published()
        .exclude(published_on=None)
        .annotate(year=ExtractYear("published_on"))
        .values("year")
        .annotate(n=Count("pk"))
    )
    best = min(years, key=lambda row: abs(row["n"] - rows))
    return f"/articles/?format=csv&from={best['year']}&to={best['year']}"


def _query_of(url):
    from urllib.parse import parse_qs, urlparse

    return parse(parse_qs(urlparse(url).query)["q"][0])


def _naive_search(url):
    """What the documentation leads to: rank every match, count them all exactly."""
    query = _query_of(url)
    matches = Article.objects.published()
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(to_tsquery(query.groups, query.excluded), search_type="raw", config="simple")
        matches = matches.filter(search_document__vector=tsquery).annotate(
            rank=SearchRank(F("search_document__vector"), tsquery)
        )
    else:
        matches = matches.filter(fts__document__match=to_fts5(query.groups, query.excluded)).annotate(
            rank=-BM25(F("fts__document"), 10.0, 4.0, 1.0, 0.5)
        )
    list(matches.order_by("-rank")[:25].values_list("pk", flat=True))
    matches.count()
    return matches


def _naive_search_with_facets(url):
    matches = _naive_search(url)
    _naive_facets(matches)


def _naive_list(url):
    articles = Article.objects.published()
    list(articles.order_by("-published_on")[:25].values_list("pk", flat=True))
    articles.count()
    _naive_facets(articles)


def _naive_facets(articles):
    list(articles.values("source").annotate(n=Count("pk")).order_by("-n")[:10])
    list(articles.values("actor_links__actor").annotate(n=Count("pk")).order_by("-n")[:10])
    list(articles.values("territory_links__territory").annotate(n=Count("pk")).order_by("-n")[:10])
    list(articles.annotate(y=ExtractYear("published_on")).values("y").annotate(n=Count("pk")))


def _percentile(values, p):
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


NAIVE_RUNS = 3


def _measure(client, name, urls, naive, runs, warmup):
    # Every URL of the rotation warmed: the first visit of each reads the disk, which a
    # served archive's caches have long since done for its pages.
    for url in urls:
        for _ in range(warmup):
            _get(client, url)
    cycle = itertools.cycle(urls)
    timings, in_sql, floors, naive_timings, queries = [], [], [], [], []
    for _ in range(runs):
        url = next(cycle)
        # The latency as production serves the page: nothing recorded. Recording a query
        # quotes its parameters for the log, a few milliseconds for a list of a few
        # thousand ids, which a served page never pays.
        started = time.perf_counter()
        status = _get(client, url)
        timings.append(time.perf_counter() - started)
        if status != 200:  # a redirect or an error page is fast, and measures nothing
            raise CommandError(f"{url} answered {status}.")
        # Then the same request again, its queries recorded and timed, for the SQL columns.
        sql_timer = _SQLTimer()
        with CaptureQueriesContext(connection) as captured, sql_timer.on(connection):
            _get(client, url)
        queries.append(len(captured.captured_queries))
        in_sql.append(sql_timer.seconds)
        floors.append(_replay(captured.captured_queries))
        # The baseline takes seconds a run on a large archive: once per URL in rotation
        # (its median is what the table compares) is enough.
        if naive is not None and len(naive_timings) < max(len(urls), NAIVE_RUNS):
            started = time.perf_counter()
            naive(url)
            naive_timings.append(time.perf_counter() - started)
    ms = lambda seconds: round(seconds * 1000, 2)  # noqa: E731
    result = {
        "request": name,
        "urls": urls,
        "p50_ms": ms(_percentile(timings, 50)),
        "p95_ms": ms(_percentile(timings, 95)),
        "p99_ms": ms(_percentile(timings, 99)),
        "queries": max(queries),
        "sql_in_page_p50_ms": ms(_percentile(in_sql, 50)),
        "sql_floor_p50_ms": ms(_percentile(floors, 50)),
    }
    if naive_timings:
        result["naive_p50_ms"] = ms(_percentile(naive_timings, 50))
    return result


class _SQLTimer:
    """The time a page spent in the database driver: executing its queries and fetching
    their rows, summed at the clock's full resolution.

    CaptureQueriesContext records each query's execute() only, rounded to the millisecond:
    a page of eight sub-millisecond queries adds up to nothing, and SQLite, which does
    most of a query's work while its rows are fetched, to a fraction of it.
    """

    def __init__(self):
        self.seconds = 0.0

    @contextmanager
    def on(self, connection):
        # Django makes its query-recording cursors with make_debug_cursor() (queries are
        # recorded here, for the replay); the timed cursor is one of those.
        connection.make_debug_cursor = lambda cursor: _TimedCursor(cursor, connection, self)
        try:
            yield self
        finally:
            del connection.make_debug_cursor


class _TimedCursor(CursorDebugWrapper):
    def __init__(self, cursor, db, timer):
        super().__init__(cursor, db)
        self.timer = timer

    def _timed(self, method, *args):
        started = time.perf_counter()
        try:
            with self.db.wrap_database_errors:
                return method(*args)
        finally:
            self.timer.seconds += time.perf_counter() - started

    # The statements are timed inside the recording of them: what recording costs (on
    # SQLite a query of its own, quoting the parameters for the log) is the
    # benchmark's, not the page's, and a page in production does not pay it.
    def _execute(self, sql, params, *ignored):
        return self._timed(super()._execute, sql, params, *ignored)

    def _executemany(self, sql, param_list, *ignored):
        return self._timed(super()._executemany, sql, param_list, *ignored)

    def fetchone(self):
        return self._timed(self.cursor.fetchone)

    def fetchmany(self, *args):
        return self._timed(self.cursor.fetchmany, *args)

    def fetchall(self):
        return self._timed(self.cursor.fetchall)


# Loads in the ingest measurement; the median is reported (the first warms the caches).
INGEST_RUNS = 3


def _measure_ingest(count, seed):
    """Articles/s of Article.objects.bulk_create, the application's bulk write path, which
    also writes the search index: searchable at commit. Rolled back, archive unchanged."""
    seconds = []
    for run in range(INGEST_RUNS):
        articles = synthetic_articles(count, slug_prefix=f"benchmark-ingest-{time.time_ns()}", seed=seed + run)
        with transaction.atomic():
            started = time.perf_counter()
            Article.objects.bulk_create(articles)
            seconds.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    elapsed = statistics.median(seconds)
    words = sum(len(a.body.split()) + len(a.lead.split()) for a in articles) / count
    return {
        "articles": count,
        "runs": INGEST_RUNS,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(count / elapsed),
        "words": round(words),
    }


def _get(client, url):
    response = client.get(url, secure=True)  # as production serves it: HTTPS, no redirect
    if response.streaming:
        for _ in response.streaming_content:
            pass
    return response.status_code


def _replay(captured):
    """Run the request's own SQL statements directly: the floor under its latency."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for query in captured:
            sql = query["sql"]
            if sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                continue
            cursor.execute(sql)  # already interpolated by Django for display
            if cursor.description:
                cursor.fetchall()
    return time.perf_counter() - started


def _table(results, total):
    """One row per request. "SQL ÷ floor": the page's time in SQL over the same statements
    replayed bare; near 1× the page asks the database nothing it does not need."""
    lines = [
        f"Published articles: {total:,}. Database: {connection.vendor}. Times in ms.",
        "",
        "| request | p50 | p95 | p99 | queries | SQL in page p50 | SQL floor p50 | SQL ÷ floor "
        "| naive p50 | naive ÷ p50 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        in_sql, floor, naive = r["sql_in_page_p50_ms"], r["sql_floor_p50_ms"], r.get("naive_p50_ms")
        lines.append(
            f"| {r['request']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['queries']} | "
            f"{in_sql:.1f} | {floor:.1f} | {_ratio(in_sql, floor)} | {f'{naive:.1f}' if naive else '–'} | "
            f"{_ratio(naive, r['p50_ms'])} |"
        )
    return "\n".join(lines)


def _ratio(a, b):
    return f"{a / b:.1f}×" if a and b else "–"


def _ingest_line(ingest):
    return (
        f"Ingest: {ingest['articles_per_s']:,} articles/s (median of {ingest['runs']} loads of "
        f"{ingest['articles']:,} articles of about {ingest['words']} words through Article.objects.bulk_create, "
        "search index included, rolled back)."
    )
