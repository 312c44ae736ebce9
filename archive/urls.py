from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, register_converter

from archive import views
from archive.views import read_only


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

# Every public address is read-only (archive.views.read_only); only the admin takes a form.
app_patterns = (
    [
        path("", read_only(views.home), name="home"),
        path("articles/", read_only(views.ArticleListView.as_view()), name="article-list"),
        path("articles/<uslug:slug>/", read_only(views.ArticleDetailView.as_view()), name="article-detail"),
        path("actors/", read_only(views.ActorListView.as_view()), name="actor-list"),
        path("actors/<uslug:slug>/", read_only(views.ActorDetailView.as_view()), name="actor-detail"),
        path("territories/", read_only(views.TerritoryListView.as_view()), name="territory-list"),
        path("territories/<uslug:slug>/", read_only(views.TerritoryDetailView.as_view()), name="territory-detail"),
        path("sources/", read_only(views.SourceListView.as_view()), name="source-list"),
        path("sources/<uslug:slug>/", read_only(views.SourceDetailView.as_view()), name="source-detail"),
        path("search/help/", read_only(views.search_help), name="search-help"),
        path("robots.txt", read_only(views.robots_txt), name="robots"),
    ],
    "archive",
)

urlpatterns = [
    path("", include(app_patterns)),
    # An index of the sections' pages (at most 10,000 addresses each, archive.sitemaps): a
    # million articles are a hundred pages, which a single sitemap would not link.
    path(
        "sitemap.xml",
        read_only(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", read_only(section), name="sitemap-section"),
    path("healthz", read_only(healthz), name="healthz"),
    path("admin/", admin.site.urls),
]
