"""Whole-result exports of article lists: CSV (streamed) and Atom feeds.

Both take the list's own queryset (filters, search and ordering applied, published only),
so an export is exactly what the page shows, without the page limit.
"""

import csv
import functools
import io
import itertools
from urllib.parse import quote

from django.contrib.syndication.views import Feed
from django.db import connections
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from archive.models import ArticleActor, ArticleTerritory, TerritoryName, iso_partial_date

CSV_COLUMNS = [
    "slug",
    "title",
    "url",
    "source",
    "source_slug",
    "published_on",
    "date_precision",
    "byline",
    "dateline",
    "language",
    "actors",
    "territories",
]
FEED_SIZE = 50
# Spreadsheets run a cell that starts with these as a formula; article text is hostile.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# The article columns of a row, read as plain values: a 10,000-row export builds no model
# instances. The first value is the pk, for fetching the chunk's tags.
_ARTICLE_VALUES = (
    "pk",
    "slug",
    "title",
    "source__name",
    "source__slug",
    "published_on",
    "date_precision",
    "byline",
    "dateline",
    "language",
)
# Rows per round of tag queries: large enough that their cost is shared by many rows,
# small enough to keep memory flat and the IN lists well under SQLite's variable limit.
_CHUNK = 2000


def _row_chunks(articles, request):
    """The CSV's rows, a list per chunk of articles: the header first."""
    yield [CSV_COLUMNS]
    article_url = _article_url_maker(request)
    labels = {}  # territory id -> label; a few hundred territories cover most exports
    # iterator() streams the result (a server-side cursor on PostgreSQL) whatever its size.
    # The list's prefetches are for model instances; plain rows fetch their tags below.
    values = articles.prefetch_related(None).values_list(*_ARTICLE_VALUES).iterator(chunk_size=_CHUNK)
    while chunk := list(itertools.islice(values, _CHUNK)):
        ids = [row[0] for row in chunk]
        actors = _by_article(_tags("actors", ids, articles.db))
        links = _tags("territories", ids, articles.db)
        unlabelled = {(pk, name) for _, pk, name in links if pk not in labels}
        if unlabelled:
            labels.update(_territory_labels(unlabelled))
        territories = _by_article((article, labels[territory]) for article, territory, _ in links)
        rows = []
        for pk, slug, title, source, source_slug, published_on, precision, byline, dateline, language in chunk:
            cells = (
                slug,
                title,
                article_url(slug),
                source,
                source_slug,
                iso_partial_date(published_on, precision),
                precision,
                byline,
                dateline,
                language,
                "; ".join(actors.get(pk, ())),
                "; ".join(territories.get(pk, ())),
            )
            rows.append([_cell(value) for value in cells])
        yield rows


# The tags of a chunk of articles, in the order the article page lists them (by name):
# (article, actor name) and (article, territory, territory name) rows.
_TAG_QUERIES = {
    "actors": lambda: ArticleActor.objects.order_by("actor__name").values_list("article", "actor__name"),
    "territories": lambda: (
        ArticleTerritory.objects.order_by("territory__name").values_list("article", "territory", "territory__name")
    ),
}


def _tags(kind, ids, using):
    with connections[using].cursor() as cursor:
        # A short last chunk repeats an id to fill the IN list: IN does not mind.
        cursor.execute(_tag_sql(kind, using, _CHUNK), ids + ids[-1:] * (_CHUNK - len(ids)))
        return cursor.fetchall()


@functools.lru_cache
def _tag_sql(kind, using, size):
    """The SQL of a tag query for `size` article ids, compiled once per process.

    Django prepares each value of an IN list in Python, which for 2,000 ids costs more
    than running the query; compiled once, each chunk's ids are just its parameters.
    """
    query = _TAG_QUERIES[kind]().filter(article__in=range(size)).query
    sql, params = query.get_compiler(using=using).as_sql()
    if list(params) != list(range(size)):
        raise ValueError("A tag query takes the chunk's ids as its only parameters.")
    return sql


def _by_article(pairs):
    """{key: [values in the query's order]} from (key, value) rows: tags by article."""
    grouped = {}
    for article, value in pairs:
        grouped.setdefault(article, []).append(value)
    return grouped


def _territory_labels(territories):
    """{id: label} of (id, name) pairs, exactly as Territory.label makes them.

    Territory.label reads model instances and their names; a few hundred of those cost
    more than the rest of a 10,000-row export, so the same rule is applied here to plain
    rows: the name, then each preferred name that differs from it, once, by name.
    """
    preferred = _by_article(
        TerritoryName.objects.filter(territory__in=[pk for pk, _ in territories], preferred=True)
        .order_by("name")
        .values_list("territory", "name")
    )
    labels = {}
    for pk, name in territories:
        others = [n for n in dict.fromkeys(preferred.get(pk, ())) if n != name]
        labels[pk] = " / ".join([name, *others])
    return labels


def _article_url_maker(request):
    """slug -> the article's absolute URL, as get_absolute_url() and the request make it.

    reverse() once with a placeholder, then only the slug changes: reverse() per row costs
    more than the rest of the row. Slugs are letters, digits, "-" and "_" (archive.urls),
    which reverse() leaves alone when ASCII and percent-encodes otherwise, as quote() does.
    """
    placeholder = "slug"
    head, _, tail = request.build_absolute_uri(
        reverse("archive:article-detail", args=[placeholder])
    ).rpartition(placeholder)
    return lambda slug: f"{head}{slug if slug.isascii() else quote(slug)}{tail}"


def _csv_text(row_chunks):
    """CSV text, one string per chunk of rows: streamed, but not row by row, since each
    piece a streaming response sends costs about as much as writing a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for rows in row_chunks:
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_response(articles, request, filename="chancery-articles.csv"):
    response = StreamingHttpResponse(
        _csv_text(_row_chunks(articles, request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ArticleFeed(Feed):
    """An Atom feed of any article list: the newest (or best-matching) articles first."""

    feed_type = Atom1Feed

    def __init__(self, title, link, articles):
        super().__init__()
        self._title, self._link, self._articles = title, link, articles

    def __call__(self, request, *args, **kwargs):
        self._self_url = request.get_full_path()
        return super().__call__(request, *args, **kwargs)

    def feed_url(self):
        return self._self_url

    def title(self):
        return f"Chancery: {self._title}"

    def link(self):
        return self._link

    def subtitle(self):
        return "Published articles from the Chancery archive of diplomatic news."

    def items(self):
        return self._articles[:FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead

    def item_link(self, article):
        return article.get_absolute_url()

    def item_author_name(self, article):
        return article.byline or None

    def item_pubdate(self, article):
        # Atom needs a time; an article dated only by month or year gets its first day,
        # and one with no date the time it entered the archive.
        from datetime import datetime, time, timezone

        if article.published_on is None:
            return article.created_at
        return datetime.combine(article.published_on, time(), tzinfo=timezone.utc)

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [a.name for a in article.actors.all()] + [t.label for t in article.territories.all()]
