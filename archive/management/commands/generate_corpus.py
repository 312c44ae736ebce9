"""`python manage.py generate_corpus --articles N`: a reproducible synthetic archive.

For measuring Chancery at scale. The same seed gives the same archive. Articles are
about 450 words, long-tailed, drawn from English word frequencies (wordfreq's list), dated
mostly in recent years and in the order of their ids (as an archive that grows by daily
imports is), a few per cent drafts, each tagged with a few actors and
territories whose popularity is skewed as in real coverage.

Loading is bulk: COPY on PostgreSQL, executemany on SQLite, in large transactions, with
the full-text index built once after the load instead of row by row. The search terms are
made by the same stemmer as every other write (archive.search.text), from the same words.
"""

import datetime
import math
import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from archive.models import Actor, Article, Source, Territory
from archive.search import schema
from archive.search.plan import period_tokens
from archive.search.text import stem

VOCABULARY = 30_000
POOL_WORDS = 3_000_000
START_YEAR, END_YEAR = 1995, 2026
CITIES = ["MOSCOW", "TOKYO", "BEIJING", "WASHINGTON", "SEOUL", "KYIV", "BRUSSELS", "GENEVA", "NEW YORK", "LONDON"]


class Command(BaseCommand):
    help = "Generate a reproducible synthetic archive for benchmarks (added to what is there)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="How many articles to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--sources", type=int, default=300)
        parser.add_argument("--actors", type=int, default=3000)
        parser.add_argument("--territories", type=int, default=600)
        parser.add_argument("--drafts", type=float, default=3.0, help="Per cent of articles left as drafts.")
        parser.add_argument("--batch", type=int, default=5000, help="Articles per transaction.")

    def handle(self, *args, articles, seed, sources, actors, territories, drafts, batch, verbosity, **options):
        if articles < 1:
            raise CommandError("--articles must be at least 1.")
        started = time.monotonic()
        rng = random.Random(seed)
        self.stdout.write(f"Drawing {POOL_WORDS:,} words from {VOCABULARY:,} English words by frequency…")
        words, stems, pool = _vocabulary(rng, POOL_WORDS)

        run = 1  # slugs unique across runs, even of the same seed
        while Source.objects.filter(slug__startswith=f"gen{seed}-r{run}-").exists():
            run += 1
        reference = _Reference(rng, words, prefix=f"gen{seed}-r{run}")
        source_ids = reference.sources(sources)
        actor_ids = reference.actors(actors)
        territory_ids = reference.territories(territories)

        writer = _PostgreSQLWriter() if connection.vendor == "postgresql" else _SQLiteWriter()
        first_id = (Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        generator = _ArticleGenerator(
            rng, words, stems, pool, source_ids, actor_ids, territory_ids, drafts, seed
        ).in_date_order(articles)
        progress = tqdm(total=articles, unit="article", disable=verbosity == 0)
        writer.before()
        try:
            for start in range(0, articles, batch):
                size = min(batch, articles - start)
                rows = [generator.article(first_id + start + i) for i in range(size)]
                with transaction.atomic():
                    writer.write(rows)
                progress.update(size)
        finally:
            progress.close()
            self.stdout.write("Building the search index…")
            writer.after()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {articles:,} articles in {elapsed:,.0f} s ({articles / elapsed:,.0f} articles/s); "
                f"the archive now has {Article.objects.count():,}."
            )
        )


def _vocabulary(rng, pool_words):
    """English words, their stems, and `pool_words` of them drawn by frequency (as indexes)."""
    try:
        import wordfreq
    except ImportError:
        raise CommandError("generate_corpus needs wordfreq: python -m pip install -r requirements-dev.txt") from None
    words = [w for w in wordfreq.top_n_list("en", VOCABULARY * 2) if re.fullmatch("[a-z]+", w)][:VOCABULARY]
    weights = [wordfreq.word_frequency(w, "en") for w in words]
    pool = rng.choices(range(len(words)), weights=weights, k=pool_words)
    return words, [stem(w) for w in words], pool


def synthetic_articles(count, *, slug_prefix, seed=1, pool_words=300_000):
    """`count` unsaved articles written like the corpus's, in the archive's own sources.

    For measuring the application's write path (the benchmark's ingest figure), which
    does not tag: the articles carry their text, dates and status only.
    """
    rng = random.Random(seed)
    words, stems, pool = _vocabulary(rng, pool_words)
    sources = list(Source.objects.order_by("pk").values_list("pk", flat=True)[:300]) or [None]
    generator = _ArticleGenerator(rng, words, stems, pool, sources, [None], [None], drafts=3.0, seed=seed)
    fields = ("title", "source_id", "byline", "dateline", "published_on", "date_precision", "lead", "body", "status")
    articles = []
    for i in range(count):
        row = generator.article(i)
        articles.append(Article(slug=f"{slug_prefix}-{i}", editors_note="Synthetic.", **{f: row[f] for f in fields}))
    return articles


class _Reference:
    """Sources, actors and territories with several names each, created through the ORM."""

    def __init__(self, rng, words, prefix):
        self.rng, self.prefix = rng, prefix
        self.names = [w.capitalize() for w in words[2000:12000]]

    def _name(self, n=2):
        return " ".join(self.rng.choice(self.names) for _ in range(n))

    def sources(self, count):
        kinds = [k for k, _ in Source.Kind.choices]
        objs = [
            Source(name=f"The {self._name()} {self.rng.choice(['Times', 'Post', 'Herald', 'News', 'Daily'])}",
                   slug=f"{self.prefix}-source-{i}", kind=self.rng.choice(kinds), language="en")
            for i in range(count)
        ]  # fmt: skip
        return [s.pk for s in Source.objects.bulk_create(objs)]

    def actors(self, count):
        from archive.models import ActorName

        kinds = ["person"] * 6 + ["state", "organisation", "international"]
        objs = [
            Actor(name=self._name(), slug=f"{self.prefix}-actor-{i}", kind=self.rng.choice(kinds))
            for i in range(count)
        ]
        created = Actor.objects.bulk_create(objs)
        ActorName.objects.bulk_create(
            ActorName(actor=a, name=self._name(), language=self.rng.choice(["en", "ru", "ja", "zh"])) for a in created
        )
        return [a.pk for a in created]

    def territories(self, count):
        from archive.models import TerritoryName

        kinds = [k for k, _ in Territory.Kind.choices]
        objs = [
            Territory(name=self._name(), slug=f"{self.prefix}-territory-{i}", kind=self.rng.choice(kinds))
            for i in range(count)
        ]
        created = Territory.objects.bulk_create(objs)
        TerritoryName.objects.bulk_create(
            TerritoryName(territory=t, name=self._name(), language="en", preferred=self.rng.random() < 0.3)
            for t in created
        )
        return [t.pk for t in created]


class _ArticleGenerator:
    def __init__(self, rng, words, stems, pool, source_ids, actor_ids, territory_ids, drafts, seed):
        self.rng, self.words, self.stems, self.pool = rng, words, stems, pool
        self.source_ids, self.actor_ids, self.territory_ids = source_ids, actor_ids, territory_ids
        self.drafts, self.seed = drafts / 100, seed
        self.days = (datetime.date(END_YEAR, 11, 1) - datetime.date(START_YEAR, 1, 1)).days
        # Zipf-like popularity: the first entities are tagged far more often than the last.
        self.actor_weights = [1 / (i + 1) ** 0.9 for i in range(len(actor_ids))]
        self.territory_weights = [1 / (i + 1) ** 0.9 for i in range(len(territory_ids))]
        self.source_weights = [1 / (i + 1) ** 0.7 for i in range(len(source_ids))]
        self.offsets = None

    def in_date_order(self, count):
        """Date the next `count` articles in order, as an archive that grows by daily
        imports does: later articles, later dates (and higher ids)."""
        # Skewed to recent years: the square root of a uniform draw leans late.
        self.offsets = iter(sorted(int(self.days * self.rng.random() ** 0.5) for _ in range(count)))
        return self

    def _slice(self, n):
        start = self.rng.randrange(len(self.pool) - n)
        return self.pool[start : start + n]

    def _text(self, ids):
        """Sentences of 8–25 words; returns (text, terms) from the same words."""
        sentences, i = [], 0
        while i < len(ids):
            n = self.rng.randint(8, 25)
            chunk = [self.words[k] for k in ids[i : i + n]]
            chunk[0] = chunk[0].capitalize()
            sentences.append(" ".join(chunk) + ".")
            i += n
        return " ".join(sentences), " ".join(self.stems[k] for k in ids)

    def article(self, pk):
        rng = self.rng
        length = max(80, min(4000, int(rng.lognormvariate(math.log(420), 0.45))))
        title_ids, lead_ids = self._slice(rng.randint(5, 12)), self._slice(rng.randint(25, 45))
        body_ids = self._slice(length)
        title = " ".join(self.words[k] for k in title_ids).capitalize()
        lead, lead_terms = self._text(lead_ids)
        paragraphs, terms, i = [], [], 0
        while i < len(body_ids):
            n = rng.randint(40, 90)
            text, paragraph_terms = self._text(body_ids[i : i + n])
            paragraphs.append(text)
            terms.append(paragraph_terms)
            i += n
        offset = next(self.offsets) if self.offsets else int(self.days * rng.random() ** 0.5)
        day = datetime.date(START_YEAR, 1, 1) + datetime.timedelta(days=offset)
        precision = rng.choices(["day", "month", "year", "unknown"], weights=[90, 6, 2, 2])[0]
        published_on = {
            "day": day,
            "month": day.replace(day=1),
            "year": day.replace(month=1, day=1),
            "unknown": None,
        }[precision]
        byline = f"{rng.choice(self.words[2000:8000]).capitalize()} {rng.choice(self.words[2000:8000]).capitalize()}"
        return {
            "id": pk,
            "title": title,
            "slug": f"gen{self.seed}-{pk}",
            "source_id": rng.choices(self.source_ids, weights=self.source_weights)[0],
            "byline": byline,
            "dateline": rng.choice(CITIES) if rng.random() < 0.4 else "",
            "published_on": published_on,
            "date_precision": precision,
            "lead": lead,
            "body": "\n\n".join(paragraphs),
            "status": "draft" if rng.random() < self.drafts else "published",
            "terms": (
                " ".join(self.stems[k] for k in title_ids),
                lead_terms,
                " ".join(terms),
                " ".join(stem(w.casefold()) for w in byline.split()),
            ),
            "actors": set(rng.choices(self.actor_ids, weights=self.actor_weights, k=rng.randint(1, 5))),
            "territories": set(
                rng.choices(self.territory_ids, weights=self.territory_weights, k=rng.randint(0, 3))
            ),
        }


# Every column of the article table, so that a field added later gets its default here
# instead of a NULL.
ARTICLE_FIELDS = Article._meta.concrete_fields
ARTICLE_COLUMNS = [f.column for f in ARTICLE_FIELDS]


def _article_values(row, now):
    article = Article(lead=row["lead"], body=row["body"], title=row["title"])
    given = {
        **row,
        "editors_note": "Synthetic.",
        "content_hash": article.compute_content_hash(),
        "created_at": now,
        "updated_at": now,
    }
    values = []
    for field in ARTICLE_FIELDS:
        value = given[field.attname] if field.attname in given else field.get_default()
        values.append(field.get_db_prep_save(value, connection))
    return values


def _period(row):
    return period_tokens(row["published_on"], row["date_precision"])


class _SQLiteWriter:
    """executemany in large transactions; FTS5 rebuilt once at the end."""

    def before(self):
        with connection.cursor() as cursor:
            for statement in schema.SQLITE_DROP_TRIGGERS:
                cursor.execute(statement)

    def write(self, rows):
        now = datetime.datetime.now(datetime.timezone.utc)
        marks = ", ".join(["%s"] * len(ARTICLE_COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO archive_article ({', '.join(ARTICLE_COLUMNS)}) VALUES ({marks})",
                [_article_values(r, now) for r in rows],
            )
            cursor.executemany(
                "INSERT INTO archive_searchdocument (article_id, title, lead, body, byline, period)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [(r["id"], *r["terms"], _period(r)) for r in rows],
            )
            cursor.executemany(
                "INSERT INTO archive_articleactor (article_id, actor_id) VALUES (%s, %s)",
                [(r["id"], a) for r in rows for a in r["actors"]],
            )
            cursor.executemany(
                "INSERT INTO archive_articleterritory (article_id, territory_id) VALUES (%s, %s)",
                [(r["id"], t) for r in rows for t in r["territories"]],
            )

    def after(self):
        with connection.cursor() as cursor:
            cursor.execute(schema.SQLITE_REBUILD)
            cursor.execute(schema.SQLITE_WORDS_FILL)
            for statement in schema.SQLITE_TRIGGERS:
                cursor.execute(statement)
            cursor.execute("ANALYZE")


class _PostgreSQLWriter:
    """COPY; the GIN index dropped during the load and built once after it."""

    def before(self):
        with connection.cursor() as cursor:
            cursor.execute(schema.POSTGRESQL_DROP_GIN_INDEX)

    def write(self, rows):
        now = datetime.datetime.now(datetime.timezone.utc)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY archive_article ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(_article_values(r, now))
            # The vector is computed by the table's trigger, as for every other write.
            with raw.copy(
                "COPY archive_searchdocument (article_id, title, lead, body, byline, period) FROM STDIN"
            ) as copy:
                for r in rows:
                    copy.write_row((r["id"], *r["terms"], _period(r)))
            with raw.copy("COPY archive_articleactor (article_id, actor_id) FROM STDIN") as copy:
                for r in rows:
                    for a in r["actors"]:
                        copy.write_row((r["id"], a))
            with raw.copy("COPY archive_articleterritory (article_id, territory_id) FROM STDIN") as copy:
                for r in rows:
                    for t in r["territories"]:
                        copy.write_row((r["id"], t))

    def after(self):
        with connection.cursor() as cursor:
            # Inside an outer transaction the deferred foreign-key checks of the load are
            # still pending, and PostgreSQL will not index a table with pending events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(schema.POSTGRESQL_GIN_INDEX)
            for table in ("archive_article", "archive_articleactor", "archive_articleterritory"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            # VACUUM sets the visibility map of the new rows; without it every index-only
            # scan (related articles through the tag indexes, counts) visits the table too.
            # It cannot run in a transaction: inside one (the tests'), statistics only.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
