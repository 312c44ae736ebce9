from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.views.decorators.http import require_safe
from django.urls import include, path, register_converter

from archive import views


class UnicodeSlugConverter:
    """Slugs of letters in any script: an article imported with a Russian title keeps it."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")
from archive.health import healthz
from archive.sitemaps import SITEMAPS, section

admin.site.site_header = "Chancery editors"
admin.site.site_title = "Chancery editors"
admin.site.index_title = "The archive"

app_patterns = (
    [
        path("", views.home, name="home"),
        path("articles/", views.ArticleListView.as_view(), name="article-list"),
        path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
        path("actors/", views.ActorListView.as_view(), name="actor-list"),
        path("actors/<uslug:slug>/", views.ActorDetailView.as_view(), name="actor-detail"),
        path("territories/", views.TerritoryListView.as_view(), name="territory-list"),
        path("territories/<uslug:slug>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
        path("sources/", views.SourceListView.as_view(), name="source-list"),
        path("sources/<uslug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
        path("search/help/", views.search_help, name="search-help"),
        path("robots.txt", views.robots_txt, name="robots"),
    ],
    "archive",
)

urlpatterns = [
    path("", include(app_patterns)),
    # An index of the sections' pages (at most 10,000 addresses each, archive.sitemaps): a
    # million articles are a hundred pages, which a single sitemap would not link.
    path(
        "sitemap.xml",
        require_safe(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", section, name="sitemap-section"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
