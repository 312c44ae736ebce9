"""Whole-result exports of article lists: CSV (streamed) and Atom feeds.

Both take the list's own queryset (filters, search and ordering applied, published only),
so an export is exactly what the page shows, without the page limit.
"""

import datetime
import functools
import operator
import re

from django.contrib.syndication.views import Feed
from django.db import connections
from django.db.models import DateField, Func
from django.db.models.sql.constants import MULTI
from django.http import StreamingHttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from archive.models import (
    Actor,
    ArticleActor,
    ArticleTerritory,
    Source,
    Territory,
    TerritoryName,
    absolute_slug_urls,
    iso_partial_date,
    territory_label,
)

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
_FORMULA_CHARS = frozenset(_FORMULA_STARTS)
_first_char = operator.itemgetter(slice(0, 1))  # "" for an empty cell
# csv.writer quotes a field that holds one of these, doubling its quotes.
_QUOTE_TRIGGERS = re.compile('[,"\r\n]')
# Characters XML 1.0 cannot carry, even escaped: Django's feed writer refuses the C0
# controls (a server error), and the rest would make the feed ill-formed. Article text and
# a reader's query can hold any of them; a feed shows a space instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _StoredDate(Func):
    """A date as the database gives it: on SQLite its stored ISO text, since read as a
    date the driver parses each one in Python, a call per row."""

    template = "%(expressions)s"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra)


# The article columns of a row, read as plain values: a 10,000-row export builds no model
# instances. The pk is for fetching the chunk's tags, the source's id for its name and slug.
_ARTICLE_VALUES = (
    "pk",
    "slug",
    "title",
    "source",
    _StoredDate("published_on"),
    "date_precision",
    "byline",
    "dateline",
    "language",
)
# Rows per round of tag queries: large enough that their cost is shared by many rows,
# small enough to keep memory flat.
_CHUNK = 2000


def _csv_chunks(articles, request):
    """The CSV text, one string per chunk of articles: the header first.

    Streamed, but not row by row, since each piece a streaming response sends costs about
    as much as writing a row. A chunk is built a column at a time, so that the work per
    cell happens inside str and map: for 10,000 rows, a Python call per cell took longer
    than reading the rows.
    """
    yield _csv_lines([CSV_COLUMNS])
    article_url = absolute_slug_urls(request, "archive:article-detail")
    names = _Names(articles.db)
    for chunk in _article_rows(articles):
        pks, slugs, titles, source_ids, dates, precisions, bylines, datelines, languages = zip(*chunk)
        source_names, source_slugs = names.sources(source_ids)
        columns = (
            slugs,
            titles,
            list(map(article_url, slugs)),
            source_names,
            source_slugs,
            list(map(_iso_date, dates, precisions)),
            precisions,
            bylines,
            datelines,
            languages,
            names.tags("actors", pks),
            names.tags("territories", pks),
        )
        yield _csv_lines(zip(*map(_csv_fields, columns)))


def _article_rows(articles):
    """The articles' values, a list of rows per chunk, as the database returns them.

    Streamed (a server-side cursor on PostgreSQL) whatever the result's size. Not through
    the values_list() iterator, whose converters, a call per row, would make the dates
    back into dates, when only their ISO text is written.
    """
    values = articles.prefetch_related(None).values_list(*_ARTICLE_VALUES)
    chunked = not connections[values.db].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    return values.query.get_compiler(using=values.db).execute_sql(MULTI, chunked_fetch=chunked, chunk_size=_CHUNK)


@functools.lru_cache(maxsize=4096)
def _iso_date(value, precision):
    # An export's dates repeat: a year's 10,000 articles have at most 366 of them.
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return iso_partial_date(value, precision)


class _Names:
    """What a row shows for the ids in it: its source's name and slug, and its tags' names
    in the order the article page lists them.

    The names are read once per export, with its first chunk: a few thousand sources,
    actors and territories, fewer than the rows that joining them to each article would
    return. The tags' order is the database's, as on the article page (its collation
    decides): every actor and territory is ranked by name once, and a chunk then reads
    only its articles' tag ids, from the (article, tag) indexes, which costs less than
    having the database sort the chunk's links by name.
    """

    def __init__(self, using):
        self.connection = connections[using]
        self._names = None  # read with the first chunk: an empty export needs none

    def sources(self, ids):
        """The name and the slug columns of these source ids (None for none)."""
        if self._names is None:
            self._read()
        # The names are read after the articles' query ran: every source it found is known.
        names, slugs = self._names["sources"]
        return list(map(names.get, ids)), list(map(slugs.get, ids))

    def tags(self, kind, articles):
        """The column of `kind` for these articles: their tags' names, "; " between."""
        if self._names is None:
            self._read()
        try:
            return self._tags(kind, articles)
        except KeyError:
            # A tag added since the export read the names: read them again.
            self._read()
            return self._tags(kind, articles)

    def _read(self):
        using = self.connection.alias
        sources = list(Source.objects.using(using).order_by().values_list("pk", "name", "slug"))
        actors = Actor.objects.using(using).order_by("name").values_list("pk", "name")
        territories = list(Territory.objects.using(using).order_by("name").values_list("pk", "name"))
        labels = _territory_labels(territories, using)
        self._names = {
            "sources": ({pk: name for pk, name, _ in sources}, {pk: slug for pk, _, slug in sources}),
            # The id as text, as _tag_ids() gives it -> (rank, name to show): sorted, an
            # article's tags are in name order.
            "actors": {str(pk): (rank, name) for rank, (pk, name) in enumerate(actors)},
            "territories": {str(pk): (rank, labels[pk]) for rank, (pk, _) in enumerate(territories)},
        }

    def _tags(self, kind, articles):
        names = self._names[kind]
        named = names.__getitem__
        tag_ids = dict(self._tag_ids(kind, articles))
        cells = []
        for ids in map(tag_ids.get, articles):
            if not ids:
                cells.append("")
            elif "," not in ids:  # one tag, most territory cells: nothing to sort
                cells.append(names[ids][1])
            else:
                cells.append("; ".join(map(_second, sorted(map(named, ids.split(","))))))
        return cells

    def _tag_ids(self, kind, articles):
        """(article, "3,17,42") rows, the ids of each article's tags, for these articles
        and perhaps for a few others."""
        vendor = self.connection.vendor
        lowest, highest = min(articles), max(articles)
        if highest - lowest < 2 * len(articles):
            # A period's articles have nearly consecutive ids, since articles enter the
            # archive roughly in date order: reading the range of ids in the (article, tag)
            # index costs less than a lookup per id, and its other articles are ignored.
            sql, params = _tag_ids_sql(kind, vendor, "range"), [lowest, highest]
        else:
            ids = ",".join(map(str, articles))
            sql, params = _tag_ids_sql(kind, vendor, "list"), [f"{{{ids}}}" if vendor == "postgresql" else f"[{ids}]"]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


_second = operator.itemgetter(1)
_TAG_LINKS = {"actors": (ArticleActor, "actor"), "territories": (ArticleTerritory, "territory")}


@functools.cache
def _tag_ids_sql(kind, vendor, chosen_by):
    """The SQL of _Names._tag_ids() on PostgreSQL or SQLite, made once per process.

    The articles are chosen by a range of ids, or by a list of them as one parameter (an
    array on PostgreSQL, JSON on SQLite, as archive.models.IdList sends them). Django's
    `in` sends a parameter per id, and psycopg parses the placeholders out of the SQL
    again for every query: for 2,000 ids that took longer than running it. Each article's
    tag ids come as one string, grouped by the database: a row per link cost more to read
    than the query took to run.
    """
    links, tag = _TAG_LINKS[kind]
    meta = links._meta
    article, tag = meta.get_field("article").column, meta.get_field(tag).column
    if chosen_by == "range":
        chosen = f"{article} BETWEEN %s AND %s"
    elif vendor == "postgresql":
        chosen = f"{article} = ANY(%s::bigint[])"
    else:
        chosen = f"{article} IN (SELECT value FROM json_each(%s))"
    ids = f"string_agg({tag}::text, ',')" if vendor == "postgresql" else f"group_concat({tag}, ',')"
    return f"SELECT {article}, {ids} FROM {meta.db_table} WHERE {chosen} GROUP BY {article}"


def _territory_labels(territories, using):
    """{id: label} of (id, name) pairs, exactly as Territory.label makes them.

    Territory.label reads model instances and their names; a few hundred of those cost
    more than the rest of a 10,000-row export, so the same rule is applied here to plain
    rows (territory_label).
    """
    preferred = {}
    for pk, name in (
        TerritoryName.objects.using(using).filter(preferred=True).order_by("name").values_list("territory", "name")
    ):
        preferred.setdefault(pk, []).append(name)
    return {pk: territory_label(name, preferred.get(pk, ())) for pk, name in territories}


def _csv_fields(cells):
    """A column of cells as CSV fields, exactly as csv.writer writes _cell() of each
    (tests/test_exports.py holds the two to each other). Checked a column at a time,
    since almost no cell needs guarding or quoting: csv.writer, which looks at every
    character of every cell in turn, took a fifth of a 10,000-row export."""
    if None in cells:
        cells = ["" if cell is None else cell for cell in cells]
    if not _FORMULA_CHARS.isdisjoint(map(_first_char, cells)):
        cells = [_cell(cell) for cell in cells]
    text = "".join(cells)
    if "," in text or '"' in text or "\r" in text or "\n" in text:
        cells = ['"' + cell.replace('"', '""') + '"' if _QUOTE_TRIGGERS.search(cell) else cell for cell in cells]
    return cells


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_lines(rows):
    """Rows of CSV fields as csv.writer ends them, each line with "\\r\\n"."""
    return "".join([",".join(row) + "\r\n" for row in rows])


def csv_response(articles, request, filename="chancery-articles.csv"):
    response = StreamingHttpResponse(_csv_chunks(articles, request), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xml_text(value):
    """`value` with what XML cannot carry replaced by spaces, in a string or a list of them."""
    if isinstance(value, str):
        return _NOT_XML.sub(" ", value)
    if isinstance(value, (list, tuple)):
        return [_xml_text(item) for item in value]
    return value


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

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Every text the feed writes, its own and its items', is in these two.
        feed.feed = {key: _xml_text(value) for key, value in feed.feed.items()}
        feed.items = [{key: _xml_text(value) for key, value in item.items()} for item in feed.items]
        return feed

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
        # Atom's summary is HTML (type="html"), which a feed reader renders: the lead is
        # text, and hostile text, so it is escaped to read as written.
        return escape(article.lead)

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
        return [a.name for a in article.tagged_actors] + [t.label for t in article.tagged_territories]
