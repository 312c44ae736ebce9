from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator

from archive import stats
from archive.models import Actor, Article, Source, Territory


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 10000

    def items(self):
        # Published only: a draft's address must not be announced anywhere.
        return Article.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, article):
        return article.updated_at

    @property
    def paginator(self):
        # Its pages from the cached count of published articles (archive.stats): the
        # index asks for them, and counting reads every article. Django's own paginator
        # slices the light queryset of items(), a page of addresses in one query.
        paginator = Paginator(self._items(), self.limit)
        paginator.count = stats.Scope().count()
        return paginator

    def get_latest_lastmod(self):
        # Django's finds the latest by reading the change time of every article: the
        # index goes without it, and each page states its own articles' (`lastmod`).
        return None


class EntitySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.only("slug").order_by("pk")


SITEMAPS = {
    "articles": ArticleSitemap,
    "sources": EntitySitemap(Source),
    "actors": EntitySitemap(Actor),
    "territories": EntitySitemap(Territory),
}
