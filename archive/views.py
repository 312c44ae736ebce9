"""Public pages. Thin on purpose: the querysets decide what is shown, the FilterSet what is
accepted, and the templates how it looks."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from archive import stats
from archive.coverage import coverage, coverage_csv, is_disputed, names_in_use
from archive.facets import active_filters, article_facets, list_order, listing_of, scope_of
from archive.exports import FEED_SIZE, ArticleFeed, csv_response
from archive.filters import ArticleFilter, EntityIndexFilter, HighlightForm, ReadFromTop
from archive.models import Actor, Article, DatePrecision, Source, Territory, absolute_slug_urls, format_partial_date
from archive.pagination import ArchivePaginator
from archive.search.aliases import expand, tag_labels
from archive.search.highlight import decorate, highlight, highlight_parts
from archive.search.plan import Result
from archive.serializers import article_json, entity_json


def bad_request(request, message):
    """A 400 in the site's style that says what was wrong."""
    return render(request, "400.html", {"message": message}, status=400)


READ_METHODS = ("GET", "HEAD", "OPTIONS")


def read_only(view):
    """A public address: it answers GET and HEAD, OPTIONS with the methods it takes, and
    any other method with a 405 page that says so.

    Exempt from the CSRF check, which runs before any view and would answer a POST or a
    PUT with a 403 about a missing cookie: nothing public changes anything, so there is
    no request to forge, and the right answer is that the method is not taken here."""

    @csrf_exempt
    @wraps(view)
    def read_only_view(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            response = HttpResponse(headers={"Content-Length": "0"})
        else:
            response = render(request, "405.html", {"method": request.method, "allowed": READ_METHODS}, status=405)
        response["Allow"] = ", ".join(READ_METHODS)
        return response

    return read_only_view


class PageNotFound(Http404):
    """A list's page that is not there: a 404, and in JSON an error of the `page` parameter."""

    def __init__(self, code, message):
        super().__init__(message)
        self.json_error = ("page", code, message)


class ListFormatsMixin:
    """Every list page is also JSON on the same URL, with the same filters and paging:
    {"count", "next", "previous", "results"}, and "note" when the page has one. Article
    lists are also whole-result CSV and Atom exports (`exports`)."""

    formats = ("html", "json")
    exports = False

    def get(self, request, *args, **kwargs):
        # The format a list is asked for; anything it does not offer is a 400, not a guess.
        formats = self.formats + (("csv", "atom") if self.exports else ())
        self.format = request.GET.get("format") or "html"
        if self.format not in formats:
            return bad_request(request, f"Unknown format: choose one of {', '.join(formats)}.")
        # `data=coverage` asks the CSV export for the coverage chart's numbers instead of
        # the articles (the chart's "as CSV" link).
        self.data = request.GET.get("data") or "articles"
        if self.data not in ("articles", "coverage") or (self.data == "coverage" and self.format != "csv"):
            return bad_request(request, "Unknown data: choose articles, or coverage with format=csv.")
        try:
            return super().get(request, *args, **kwargs)
        except Http404 as error:
            if self.format != "json":
                raise
            # A JSON client reads its errors as it reads a 400's, not from an HTML page.
            field, code, message = getattr(error, "json_error", ("__all__", "not_found", "Nothing public is here."))
            return JsonResponse({"errors": {field: [{"message": message, "code": code}]}}, status=404)

    def get_paginate_by(self, queryset):
        return None if self.format in ("csv", "atom") else super().get_paginate_by(queryset)

    def invalid_filters(self, context):
        filterset = context.get("filter")
        return filterset is not None and filterset.is_bound and not filterset.is_valid()

    def render_to_response(self, context, **response_kwargs):
        if self.format == "html":
            return super().render_to_response(context, **response_kwargs)
        if self.invalid_filters(context):
            return JsonResponse({"errors": context["filter"].form.errors.get_json_data()}, status=400)
        if self.format == "csv" and self.data == "coverage":
            unavailable = self.coverage_unavailable()
            if unavailable:
                return bad_request(self.request, unavailable)
            return coverage_csv(coverage(self.object_list, scope=self.coverage_scope()))
        if self.format == "csv":
            return csv_response(self.object_list, self.request)
        if self.format == "atom":
            page_query = self.request.GET.copy()
            page_query.pop("format")
            link = f"{self.request.path}?{page_query.urlencode()}" if page_query else self.request.path
            return ArticleFeed(self.feed_title(), link, self.feed_articles())(self.request)
        page = context["page_obj"]
        paginator = page.paginator
        return JsonResponse(
            {
                # An estimate when "count_estimated" (archive.search.plan); "pages" can be
                # fewer than count / page size when a relevance ranking is partial.
                "count": getattr(paginator, "total", paginator.count),
                "count_estimated": getattr(paginator, "estimated", False),
                # What the page says of a partial search (archive.search.plan), if anything.
                **({"note": paginator.note} if getattr(paginator, "note", "") else {}),
                "next": self._page_url(page.next_page_number()) if page.has_next() else None,
                "previous": self._page_url(page.previous_page_number()) if page.has_previous() else None,
                "results": self.json_results(page.object_list),
            },
            json_dumps_params={"ensure_ascii": False},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.exports:
            feed_query = self.request.GET.copy()
            feed_query.pop("page", None)
            feed_query["format"] = "atom"
            context["feed_url"] = f"{self.request.path}?{feed_query.urlencode()}"
            feed_query["format"] = "csv"
            context["csv_url"] = f"{self.request.path}?{feed_query.urlencode()}"
        return context

    def feed_articles(self):
        """What an Atom feed takes its first articles from: the list itself."""
        return self.object_list

    def coverage_scope(self):
        """The list's articles as the cached numbers know them (archive.stats.Scope), so
        that its coverage, as a chart or as CSV, is read from them; None if they do not."""
        return None

    def coverage_unavailable(self):
        """Why the list's coverage is not charted (on its page or as CSV), or None."""
        return None

    def paginate_queryset(self, queryset, page_size):
        # Django reads the page with int(), which also takes "１", "٣", " 2" and "1_0": a
        # page is ASCII digits or "last", and anything else is a 404 like an unknown page.
        page = self.request.GET.get(self.page_kwarg)
        if page and page != "last" and not (page.isascii() and page.isdigit()):
            raise PageNotFound("invalid", "A page is a number from 1, or “last”.")
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404 as error:
            raise PageNotFound("out_of_range", "No such page: a list's pages run from 1 to its last.") from error

    def _page_url(self, number):
        params = self.request.GET.copy()
        params["page"] = number
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

    def json_results(self, articles):
        # The address around the slug is found once: build_absolute_uri() checks the
        # host again for every article.
        article_url = absolute_slug_urls(self.request, "archive:article-detail")
        return [article_json(article, article_url(article.slug)) for article in articles]


def home(request):
    # The counts and rankings are the cached ones (archive.stats): counting them reads
    # every published article.
    return render(
        request,
        "archive/home.html",
        {
            "latest": stats.Scope().listed(0, 8),
            "top_actors": Actor.objects.top_covered(8),
            "top_territories": Territory.objects.with_names().top_covered(8),
            "counts": stats.totals(),
        },
    )


class ArticleListView(ListFormatsMixin, FilterView):
    exports = True
    filterset_class = ArticleFilter
    template_name = "archive/article_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    paginator_class = ArchivePaginator

    def get_queryset(self):
        return Article.objects.published().for_listing()

    # A search reads as many of its matches as the page asked for needs (archive.search.
    # plan): its pages go this deep, as far as a reader pages, and no request can make
    # it read a whole common word's matches.
    max_search_page = 400

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["rows_ranked"] = self.paginate_by
        if self.format == "atom":
            # A feed is its list's first articles, read as its first page's are: a
            # search's, ranked in full for 50 of them, took 11.5 s for a common word on
            # PostgreSQL at a million articles.
            kwargs["rows_wanted"] = FEED_SIZE
            return kwargs
        if self.data == "coverage":
            # The chart's numbers: read as its page is, which charts them only when it
            # reads them all (coverage_unavailable).
            kwargs["rows_wanted"] = self.paginate_by
            return kwargs
        if self.format not in ("html", "json"):
            return kwargs  # a CSV export reads every match
        page = self.request.GET.get(self.page_kwarg) or "1"
        if page == "last":
            # The last page of what the first page's search read (see get_paginator).
            kwargs["rows_wanted"] = self.paginate_by
        elif page.isascii() and page.isdigit():
            kwargs["rows_wanted"] = max(int(page[:9]), 1) * self.paginate_by
        kwargs["rows_limit"] = self.max_search_page * self.paginate_by
        return kwargs

    def get(self, request, *args, **kwargs):
        page = request.GET.get(self.page_kwarg) or "1"
        too_deep = page.isascii() and page.isdigit() and int(page[:9]) > self.max_search_page
        if too_deep and request.GET.get("q", "").strip() and request.GET.get("format") in (None, "", "html", "json"):
            return self._too_deep(
                f"Search results go {self.max_search_page} pages deep: narrow the search by date, "
                "or sort the other way, to reach the rest."
            )
        try:
            return super().get(request, *args, **kwargs)
        except ReadFromTop:
            # An unsearched list that no cached numbers describe, asked for a page deeper
            # than it is read (ArticleFilter.filter_queryset), before reading anything.
            return self._too_deep(
                f"Lists filtered this way go {self.max_search_page} pages deep: narrow them by date, "
                "or sort the other way, to reach the rest."
            )

    def _too_deep(self, message):
        if self.request.GET.get("format") == "json":
            return JsonResponse({"errors": {"page": [{"message": message, "code": "too_deep"}]}}, status=400)
        return bad_request(self.request, message)

    def get_paginator(self, queryset, per_page, **kwargs):
        search_plan = self.filterset.search_plan
        if search_plan is None:
            # Unsearched, the whole archive or one tag's articles between whole months has
            # its exact count cached and pages read off the indexes (archive.stats).
            listing = listing_of(self.filterset) if self.format in ("html", "json") else None
            if listing is not None:
                return super().get_paginator(listing, per_page, count=listing.count(), **kwargs)
            if isinstance(queryset, Result) and not queryset.complete:
                # More articles than were read: the size is estimated from them, and the
                # pages go as deep as a search's.
                newest = list_order(self.filterset.form.cleaned_data) != "oldest"
                total = queryset.extrapolated(newest, *self.filterset.date_bounds())
                count = min(total, self.max_search_page * per_page)
                return super().get_paginator(queryset, per_page, count=count, total=total, estimated=True, **kwargs)
        if search_plan is None or search_plan.exact:
            return super().get_paginator(queryset, per_page, **kwargs)
        total = search_plan.estimated_total()
        if search_plan.partial:
            # Only the window was searched: its matches are the pages, and the page says
            # which days they are from.
            window = search_plan.window
            day = format_partial_date(window.start or window.end, DatePrecision.DAY)
            since = f"from {day} on" if window.start else f"up to {day}"
            note = (
                f"This phrase was looked for in the {window.articles:,} articles {since}: its words are in "
                "too many articles to check each one. Narrow the search by date, source or tag to look further."
            )
            count = search_plan.window_count
            return super().get_paginator(
                queryset, per_page, count=count, total=total, estimated=total != count, note=note, **kwargs
            )
        if self.filterset.form.cleaned_data.get("sort") in ("newest", "oldest"):
            # Ordered by date, the window holds the top of the whole result, and a later
            # page widens it: every estimated page can be asked for, as deep as searches
            # go; "last" is the last page of the window read.
            if self.request.GET.get(self.page_kwarg) == "last":
                count = search_plan.window_count
            else:
                count = min(total, self.max_search_page * per_page)
            return super().get_paginator(queryset, per_page, count=count, total=total, estimated=True, **kwargs)
        note = (
            f"Ranked by relevance among the newest {search_plan.window_count:,} matches; "
            "sort by date to go through them all."
        )
        return super().get_paginator(
            queryset, per_page, count=search_plan.window_count, total=total, estimated=True, note=note, **kwargs
        )

    def feed_articles(self):
        # A scope's first articles are read as its pages are (Scope.listed), and so are
        # any other list's: from the rows its search or its filters read (Result).
        listing = listing_of(self.filterset)
        if listing is not None:
            return listing
        if isinstance(self.object_list, Result):
            return self.object_list.page_rows(0, FEED_SIZE)
        return self.object_list

    def coverage_scope(self):
        return scope_of(self.filterset)

    def coverage_unavailable(self):
        """A window holds only the newest months: charting it would look like coverage
        that stops short. And charting a list of many more articles than were read would
        read them all: at a million articles, 2 to 7 s for the CSV of a common word's
        coverage on PostgreSQL, and 6 s on SQLite for every article but one actor's."""
        search_plan = self.filterset.search_plan
        if search_plan is not None and not search_plan.exact:
            return (
                "This search matches too many articles to chart its coverage over time; "
                "narrow it by date, source or tag to see the chart."
            )
        if isinstance(self.object_list, Result) and not self.object_list.complete:
            return (
                "These filters match too many articles to chart their coverage over time; "
                "narrow them by date, source or tag to see the chart."
            )
        return None

    def feed_title(self):
        query = self.request.GET.get("q", "").strip()
        return f"search for “{query[:100]}”" if query else "articles"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_order"] = list_order(self.filterset.form.cleaned_data) if self.filterset.is_bound else "newest"
        query = self.filterset.search_query
        if query is not None and self.format in ("html", "json"):
            decorate(context["page_obj"].object_list, query)
            context["search_query"] = query
            context["highlight_params"] = urlencode(
                {key: self.request.GET[key] for key in ("q", "exact") if self.request.GET.get(key)}
            )
        if self.format == "html":
            paginator = context["paginator"]
            context["facets"] = article_facets(
                self.filterset,
                self.object_list,
                total=getattr(paginator, "total", None) if paginator else None,
                estimated=getattr(paginator, "estimated", False),
            )
            context["coverage_omitted"] = self.coverage_unavailable()
            if not context["coverage_omitted"] and not self.invalid_filters(context) and context["paginator"].count:
                context["coverage"] = coverage(self.object_list, scope=self.coverage_scope())
            # The date and sort fields are in the form; chosen tags ride along as hidden
            # inputs so that changing the dates keeps them.
            context["active_filters"] = active_filters(self.filterset)
            context["kept_filters"] = [
                (name, value)
                for name in ("source", "actor", "territory", "source_not", "actor_not", "territory_not")
                for value in self.filterset.selected(name)
            ]
        return context


class ArticleDetailView(DetailView):
    """An article; reached from a search (`?q=...`), its matches are highlighted."""

    template_name = "archive/article_detail.html"

    def get_queryset(self):
        # Drafts and withdrawn articles are a 404, exactly like a slug that never existed.
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related"] = Article.objects.related_to(self.object).for_listing()
        context["permalink"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        form = HighlightForm(self.request.GET)
        if form.is_valid() and form.cleaned_data["q"]:
            query = form.cleaned_data["q"] if form.cleaned_data["exact"] else expand(form.cleaned_data["q"])
            article = self.object
            title, lead, *paragraphs = highlight_parts([article.title, article.lead, *article.paragraphs], query)
            highlighted = {
                "title": title,
                "byline": highlight(article.byline, query),
                "lead": lead,
                "paragraphs": paragraphs,
            }
            # The text is escaped before it is marked: a "<mark>" in it is a match.
            shown = (highlighted["title"], highlighted["byline"], highlighted["lead"], *highlighted["paragraphs"])
            highlighted["marked"] = any("<mark>" in part for part in shown)
            highlighted["tags"] = tag_labels(self.object, query)
            context["highlighted"] = highlighted
        return context


class EntityIndexView(ListFormatsMixin, FilterView):
    """/actors/, /territories/, /sources/: every entity with its published article count."""

    filterset_class = EntityIndexFilter
    paginate_by = 100
    model = None

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["kinds"] = self.model.Kind.choices
        return kwargs

    def get_queryset(self):
        queryset = self.model.objects.with_cached_counts().order_by("name")
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

    def json_results(self, entities):
        return [entity_json(entity, self.request) for entity in entities]


class ActorListView(EntityIndexView):
    model = Actor


class TerritoryListView(EntityIndexView):
    model = Territory


class SourceListView(EntityIndexView):
    model = Source


class EntityDetailView(ListFormatsMixin, ListView):
    """An actor's, territory's or source's page: who or what it is, then its published
    articles, newest first, paginated (and as JSON, CSV or Atom with `format`)."""

    exports = True
    model = None
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    paginator_class = ArchivePaginator
    template_name = None

    def get_entity_queryset(self):
        """The entity with what its HTML page shows about it (exports need none of it)."""
        return self.model.objects.all()

    def get_queryset(self):
        entities = self.get_entity_queryset() if self.format == "html" else self.model.objects.all()
        self.entity = get_object_or_404(entities, slug=self.kwargs["slug"])
        # Its count and coverage are the cached ones (archive.stats): the most covered
        # actor is in a fifth of the archive, and counting its articles reads them all.
        self.scope = stats.Scope(self.entity)
        return self.model.objects.articles_of(self.entity).for_listing().newest_first()

    def get_paginator(self, queryset, per_page, **kwargs):
        # Paged by the scope, which reads a page the way the indexes allow (Scope.listed).
        return super().get_paginator(stats.Listing(self.scope), per_page, count=self.scope.count(), **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entity"] = self.entity
        context["page_order"] = "newest"
        context["filter_url"] = f"{reverse('archive:article-list')}?{self.filter_param}={self.entity.slug}"
        if self.format == "html" and context["paginator"].count:
            context["coverage"] = coverage(self.object_list, scope=self.coverage_scope())
        return context

    def coverage_scope(self):
        return self.scope

    def feed_articles(self):
        # Read as its pages are (Scope.listed): a popular actor's articles sorted by the
        # list's own query would all be read for the feed's 50.
        return stats.Listing(self.scope)

    def feed_title(self):
        return self.entity.label


class ActorDetailView(EntityDetailView):
    model = Actor
    filter_param = "actor"
    template_name = "archive/actor_detail.html"

    def get_entity_queryset(self):
        territories = Territory.objects.with_names()
        return Actor.objects.select_related("state").prefetch_related(
            "names", Prefetch("claims", territories), Prefetch("administers", territories)
        )


class TerritoryDetailView(EntityDetailView):
    model = Territory
    filter_param = "territory"
    template_name = "archive/territory_detail.html"

    def get_entity_queryset(self):
        return Territory.objects.select_related("part_of", "administered_by").prefetch_related(
            "names__used_by", "claimants", "parts__names", "part_of__names"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.format == "html" and is_disputed(self.entity):
            context["names_in_use"] = names_in_use(self.entity)
        return context


class SourceDetailView(EntityDetailView):
    model = Source
    filter_param = "source"
    template_name = "archive/source_detail.html"

    def get_entity_queryset(self):
        return Source.objects.select_related("parent", "country").prefetch_related("children")


def search_help(request):
    return render(request, "archive/search_help.html")


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
