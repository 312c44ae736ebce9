"""Whole-result exports of article lists: CSV (streamed) and Atom feeds.

Both take the list's own queryset (filters, search and ordering applied, published only),
so an export is exactly what the page shows, without the page limit.
"""

import csv

from django.contrib.syndication.views import Feed
from django.http import StreamingHttpResponse
from django.utils.feedgenerator import Atom1Feed

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


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _rows(articles, request):
    yield CSV_COLUMNS
    # iterator() keeps memory flat whatever the size of the result; with chunk_size the
    # listing's prefetches run once per chunk, not once per article.
    for article in articles.iterator(chunk_size=1000):
        yield [
            _cell(v)
            for v in (
                article.slug,
                article.title,
                request.build_absolute_uri(article.get_absolute_url()),
                article.source.name if article.source else "",
                article.source.slug if article.source else "",
                article.date_iso or "",
                article.date_precision,
                article.byline,
                article.dateline,
                article.language,
                "; ".join(a.name for a in article.actors.all()),
                "; ".join(t.label for t in article.territories.all()),
            )
        ]


def csv_response(articles, request, filename="chancery-articles.csv"):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _rows(articles, request)), content_type="text/csv; charset=utf-8"
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
