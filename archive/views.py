"""Public pages. Thin on purpose: the querysets decide what is shown, the FilterSet what is
accepted, and the templates how it looks."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from archive.facets import article_facets
from archive.filters import ArticleFilter, EntityIndexFilter
from archive.models import Actor, Article, Source, Territory
from archive.serializers import article_json, entity_json

OUTPUT_FORMATS = {"html", "json"}


def output_format(request) -> str:
    """`format=json` turns any list into JSON; anything unknown is a 400, not a guess."""
    value = request.GET.get("format", "html") or "html"
    if value not in OUTPUT_FORMATS:
        raise BadRequest("Unknown format: choose html or json.")
    return value


class JSONListMixin:
    """Every list page is also JSON on the same URL, with the same filters and paging:
    {"count", "next", "previous", "results"}."""

    def get(self, request, *args, **kwargs):
        self.format = output_format(request)
        return super().get(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        if self.format != "json":
            return super().render_to_response(context, **response_kwargs)
        filterset = context.get("filter")
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            return JsonResponse({"errors": filterset.form.errors.get_json_data()}, status=400)
        page = context["page_obj"]
        return JsonResponse(
            {
                "count": page.paginator.count,
                "next": self._page_url(page.next_page_number()) if page.has_next() else None,
                "previous": self._page_url(page.previous_page_number()) if page.has_previous() else None,
                "results": [self.to_json(obj) for obj in page.object_list],
            },
            json_dumps_params={"ensure_ascii": False},
        )

    def _page_url(self, number):
        params = self.request.GET.copy()
        params["page"] = number
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

    def to_json(self, obj):
        return article_json(obj, self.request)


@require_safe
def home(request):
    published = Article.objects.published()
    return render(
        request,
        "archive/home.html",
        {
            "latest": published.for_listing().newest_first()[:8],
            "top_actors": Actor.objects.most_covered()[:8],
            "top_territories": Territory.objects.most_covered().with_names()[:8],
            "counts": {
                "articles": published.count(),
                "sources": Source.objects.most_covered().count(),
                "actors": Actor.objects.most_covered().count(),
                "territories": Territory.objects.most_covered().count(),
            },
        },
    )


class ArticleListView(JSONListMixin, FilterView):
    filterset_class = ArticleFilter
    template_name = "archive/article_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.format == "html":
            context["facets"] = article_facets(self.filterset, self.object_list)
            # The date and sort fields are in the form; chosen tags ride along as hidden
            # inputs so that changing the dates keeps them.
            context["kept_filters"] = [
                (name, value) for name in ("source", "actor", "territory") for value in self.filterset.selected(name)
            ]
        return context


class ArticleDetailView(DetailView):
    template_name = "archive/article_detail.html"

    def get_queryset(self):
        # Drafts and withdrawn articles are a 404, exactly like a slug that never existed.
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related"] = Article.objects.related_to(self.object).for_listing()
        context["permalink"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        return context


class EntityIndexView(JSONListMixin, FilterView):
    """/actors/, /territories/, /sources/: every entity with its published article count."""

    filterset_class = EntityIndexFilter
    paginate_by = 100
    model = None

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["kinds"] = self.model.Kind.choices
        return kwargs

    def get_queryset(self):
        queryset = self.model.objects.with_article_counts().order_by("name")
        if self.model is Territory:
            queryset = queryset.with_names()
        return queryset

    def get_template_names(self):
        return ["archive/entity_index.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entity_name"] = self.model._meta.verbose_name
        context["entity_name_plural"] = self.model._meta.verbose_name_plural
        return context

    def to_json(self, obj):
        return entity_json(obj, self.request)


class ActorListView(EntityIndexView):
    model = Actor


class TerritoryListView(EntityIndexView):
    model = Territory


class SourceListView(EntityIndexView):
    model = Source


class EntityDetailView(JSONListMixin, ListView):
    """An actor's, territory's or source's page: who or what it is, then its published
    articles, newest first, paginated (and as JSON with format=json)."""

    model = None
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    template_name = None

    def get(self, request, *args, **kwargs):
        self.entity = get_object_or_404(self.get_entity_queryset(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_entity_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        return self.entity_articles().published().for_listing().newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entity"] = self.entity
        context["filter_url"] = f"{reverse('archive:article-list')}?{self.filter_param}={self.entity.slug}"
        return context


class ActorDetailView(EntityDetailView):
    model = Actor
    filter_param = "actor"
    template_name = "archive/actor_detail.html"

    def get_entity_queryset(self):
        return Actor.objects.select_related("state").prefetch_related("names", "claims")

    def entity_articles(self):
        return Article.objects.filter(actor_links__actor=self.entity)


class TerritoryDetailView(EntityDetailView):
    model = Territory
    filter_param = "territory"
    template_name = "archive/territory_detail.html"

    def get_entity_queryset(self):
        return Territory.objects.select_related("part_of", "administered_by").prefetch_related(
            "names__used_by", "claimants", "parts__names", "part_of__names"
        )

    def entity_articles(self):
        return Article.objects.filter(territory_links__territory=self.entity)


class SourceDetailView(EntityDetailView):
    model = Source
    filter_param = "source"
    template_name = "archive/source_detail.html"

    def get_entity_queryset(self):
        return Source.objects.select_related("parent", "country").prefetch_related("children")

    def entity_articles(self):
        return Article.objects.filter(source=self.entity)


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
