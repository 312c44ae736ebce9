"""The sitemap: an index (Django's view) of the sections' pages, and the pages themselves.

A page of the article section lists up to 10,000 addresses. Django's own view made each
one a dictionary, its location by reverse(), and rendered them through a template: 0.55 to
0.65 s for a page at a million articles, two thirds of it the template. Its pages were OFFSETs
into the published articles in id order, which read every article before the page: the
last page took 1.1 s on PostgreSQL and 1.4 s on SQLite. So `section` writes the XML
itself, from plain rows, and the article section is paged by ranges of ids.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.core.paginator import InvalidPage, Paginator
from django.db import connections
from django.db.models import CharField, Func
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.utils.html import escape

from archive import stats
from archive.models import Actor, Article, Source, Territory, absolute_slug_urls

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
XML_TAIL = "</urlset>\n"


class _UTCDate(Func):
    """The UTC date of a timestamp, as ISO text: "2016-05-09". Text from the database, as
    SQLite's TruncDate is a Python function called per row (and then a date parsed)."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as UTC text, "2016-05-09 10:31:02.123456".
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 1, 10)", **extra)


class ArchiveSitemap(Sitemap):
    """A section: the public pages of `model`, one address per row."""

    changefreq = "weekly"
    priority = 0.5
    lastmod_field = None  # the timestamp whose UTC date is an address's <lastmod>, if any

    def __init__(self, model, url_name):
        self.model = model
        self.url_name = url_name  # of the detail page, whose slug is the row's

    def items(self):
        return self.model.objects.order_by("pk")

    def rows(self, page):
        """(slug, lastmod as "YYYY-MM-DD" or None) of each address on page `page`, a number
        from 1 as the query string gives it (InvalidPage if there is no such page)."""
        items = self.paginator.page(page).object_list
        if self.lastmod_field is None:
            return [(slug, None) for slug in items.values_list("slug", flat=True)]
        return list(items.values_list("slug", _UTCDate(self.lastmod_field)))


class ArticleSitemap(ArchiveSitemap):
    """Published articles only, a page to each range of `limit` ids that holds any.

    A page reads its articles from the primary key's index, so the last page costs what
    the first does. Ranges rather than counted pages: finding where every 10,000th
    published article starts reads all of them (0.5 s on PostgreSQL at a million, 2 s on
    SQLite, after each change to what is published), while the ranges that hold any are
    found by one skip through the index, a probe a range.
    """

    changefreq = "monthly"
    priority = 0.8
    limit = 10000
    lastmod_field = "updated_at"

    def __init__(self):
        super().__init__(Article, "archive:article-detail")

    def items(self):
        # Published only: a draft's address must not be announced anywhere.
        return Article.objects.published().order_by("pk")

    @property
    def paginator(self):
        # A page to each range: the index numbers them from 1, with no gaps.
        return Paginator(stats.cached(f"sitemap-ranges:{self.limit}", self._ranges), 1)

    def rows(self, page):
        ranges = self.paginator.page(page).object_list
        if not ranges:  # no published article: the first page is empty
            return []
        (first,) = ranges
        articles = self.items().filter(pk__gte=first * self.limit, pk__lt=(first + 1) * self.limit)
        return list(articles.values_list("slug", _UTCDate(self.lastmod_field)))

    def _ranges(self) -> list[int]:
        """The numbers of the id ranges (id // limit) that hold a published article.

        One recursive query: from each range found, the first published article at or
        after the next range's start, by the primary key's index.
        """
        articles = self.items().values("pk")
        first_sql, first_params = articles[:1].query.sql_with_params()
        after = articles.filter(pk__gte=RawSQL("(ranges.n + 1) * %s", [self.limit]))[:1]
        next_sql, next_params = after.query.sql_with_params()
        sql = (
            "WITH RECURSIVE ranges(n) AS ("
            f" SELECT ({first_sql}) / %s"
            f" UNION ALL SELECT ({next_sql}) / %s FROM ranges WHERE n IS NOT NULL"
            ") SELECT n FROM ranges WHERE n IS NOT NULL"
        )
        with connections[articles.db].cursor() as cursor:
            cursor.execute(sql, [*first_params, self.limit, *next_params, self.limit])
            return [n for (n,) in cursor.fetchall()]

    def get_latest_lastmod(self):
        # Django's finds the latest by reading the change time of every article: the
        # index goes without it, and each page states its own articles' (`lastmod`).
        return None


SITEMAPS = {
    "articles": ArticleSitemap(),
    "sources": ArchiveSitemap(Source, "archive:source-detail"),
    "actors": ArchiveSitemap(Actor, "archive:actor-detail"),
    "territories": ArchiveSitemap(Territory, "archive:territory-detail"),
}


@x_robots_tag
def section(request, section):
    """One page (`?p=`, from 1) of one section of the sitemap."""
    sitemap = SITEMAPS.get(section)
    if sitemap is None:
        raise Http404(f"No sitemap section {section!r}.")
    try:
        rows = sitemap.rows(request.GET.get("p", 1))
    except InvalidPage as error:
        raise Http404(f"No such page of the sitemap: {error}") from None
    url = absolute_slug_urls(request, sitemap.url_name)
    tail = f"<changefreq>{sitemap.changefreq}</changefreq><priority>{sitemap.priority}</priority></url>\n"
    # Slugs are letters, digits, "-" and "_", quoted by slug_urls; the host comes from the
    # request, which ALLOWED_HOSTS checked. Both are escaped all the same.
    lines = [
        f"<url><loc>{escape(url(slug))}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + tail
        for slug, lastmod in rows
    ]
    # One string: a response given a list encodes each item apart, 10,000 calls.
    return HttpResponse("".join([XML_HEAD, *lines, XML_TAIL]), content_type="application/xml")
