from django.contrib.sitemaps import Sitemap

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
