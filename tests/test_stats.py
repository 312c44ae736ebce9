"""The archive's cached numbers (archive.stats): every public count, ranking, facet and
chart that comes from the cache is the exact one, and stops counting an article the
moment it is withdrawn, deleted or untagged, whichever way that is written."""

import datetime

import pytest
from django.http import QueryDict
from pytest_django.asserts import assertContains

from archive import facets, stats
from archive.coverage import coverage
from archive.filters import ArticleFilter
from archive.models import Actor, Article, ArticleActor, Source, Territory
from archive.pagination import ArchivePaginator
from tests.conftest import facet_items, make_actor, make_article, make_source, make_territory, parse_page

WITHDRAWN = Article.Status.WITHDRAWN


@pytest.fixture
def archive(db):
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    kurils = make_territory(name="Kuril Islands", slug="kurils")
    times = make_source(name="The Japan Times", slug="japan-times")
    tass = make_source(name="TASS", slug="tass")
    for n, (day, source, actors) in enumerate(
        [
            (datetime.date(2016, 12, 15), times, [japan, russia]),
            (datetime.date(2016, 11, 3), tass, [japan]),
            (datetime.date(2015, 5, 1), times, [japan]),
        ]
    ):
        make_article(
            title=f"Story {n}", slug=f"story-{n}", source=source, published_on=day, actors=actors, territories=[kurils]
        )
    make_article(title="A draft", slug="draft", status=Article.Status.DRAFT, source=tass, actors=[japan])


def _numbers(client):
    """Every public number about Japan, The Japan Times and the Kuril Islands."""
    home = parse_page(client.get("/"))
    listing = client.get("/articles/")
    # The coverage chart's table, its empty months left out.
    coverage_rows = [
        (next(row.find_all("th")).text(), next(row.find_all("td")).text())
        for row in parse_page(listing).find_all("tr")
        if [td.text() for td in row.find_all("td")] not in ([], ["0"])
    ]
    return {
        "home": next(home.find_all("p", cls="lede")).text().split(" — ")[0],
        "home actors": [li.text() for li in next(home.find_all("ol", cls="ranked")).find_all("li")],
        "list": client.get("/articles/", {"format": "json"}).json()["count"],
        "sources": [item[:2] for item in facet_items(listing, "source")],
        "actors": [item[:2] for item in facet_items(listing, "actor")],
        "territories": [item[:2] for item in facet_items(listing, "territory")],
        "years": [item[:2] for item in facet_items(listing, "year")],
        "coverage": coverage_rows,
        "actor index": {a["slug"]: a["article_count"] for a in client.get("/actors/?format=json").json()["results"]},
        # One actor's articles: their facets are cached too (archive.facets).
        "japan's sources": [item[:2] for item in facet_items(client.get("/articles/?actor=japan"), "source")],
        "japan's years": [item[:2] for item in facet_items(client.get("/articles/?actor=japan"), "year")],
        "actor page": client.get("/actors/japan/", {"format": "json"}).json()["count"],
        "territory page": client.get("/territories/kurils/", {"format": "json"}).json()["count"],
        "source page": client.get("/sources/japan-times/", {"format": "json"}).json()["count"],
    }


BEFORE = {
    "home": "3 articles from 2 sources, about 2 actors and 1 territory",
    "home actors": ["Japan 3", "Russia 1"],
    "list": 3,
    "sources": [("The Japan Times", 2), ("TASS", 1)],
    "actors": [("Japan", 3), ("Russia", 1)],
    "territories": [("Kuril Islands", 3)],
    "years": [("2016", 2), ("2015", 1)],
    "coverage": [("May 2015", "1"), ("Nov 2016", "1"), ("Dec 2016", "1")],
    "actor index": {"japan": 3, "russia": 1},
    "japan's sources": [("The Japan Times", 2), ("TASS", 1)],
    "japan's years": [("2016", 2), ("2015", 1)],
    "actor page": 3,
    "territory page": 3,
    "source page": 2,
}
# Story 0 (The Japan Times, Japan and Russia, December 2016) gone from every number.
WITHOUT_STORY_0 = {
    "home": "2 articles from 2 sources, about 1 actor and 1 territory",
    "home actors": ["Japan 2"],
    "list": 2,
    "sources": [("TASS", 1), ("The Japan Times", 1)],
    "actors": [("Japan", 2)],
    "territories": [("Kuril Islands", 2)],
    "years": [("2016", 1), ("2015", 1)],
    "coverage": [("May 2015", "1"), ("Nov 2016", "1")],
    "actor index": {"japan": 2, "russia": 0},
    "japan's sources": [("TASS", 1), ("The Japan Times", 1)],
    "japan's years": [("2016", 1), ("2015", 1)],
    "actor page": 2,
    "territory page": 2,
    "source page": 1,
}


def _story_0():
    return Article.objects.get(slug="story-0")


def _withdraw_with_save():
    article = _story_0()
    article.status = WITHDRAWN
    article.save()


def _withdraw_with_update():
    # The admin's bulk "Withdraw" action.
    Article.objects.filter(slug="story-0").update(status=WITHDRAWN)


def _withdraw_with_bulk_update():
    article = _story_0()
    article.status = WITHDRAWN
    Article.objects.bulk_update([article], ["status"])


def _delete():
    _story_0().delete()


def _delete_from_a_queryset():
    Article.objects.filter(slug="story-0").delete()


@pytest.mark.parametrize(
    "hide", [_withdraw_with_save, _withdraw_with_update, _withdraw_with_bulk_update, _delete, _delete_from_a_queryset]
)
def test_a_withdrawn_or_deleted_article_leaves_every_cached_number_at_once(client, archive, hide):
    assert _numbers(client) == BEFORE  # and now they are cached
    hide()
    assert _numbers(client) == WITHOUT_STORY_0


def _untag_with_remove():
    _story_0().actors.remove(Actor.objects.get(slug="russia"))


def _untag_from_the_actor():
    Actor.objects.get(slug="russia").articles.remove(_story_0())


def _untag_with_clear():
    article = _story_0()
    article.actors.clear()
    article.actors.add(Actor.objects.get(slug="japan"))


def _untag_by_deleting_the_link():
    ArticleActor.objects.filter(article__slug="story-0", actor__slug="russia").delete()


def _untag_with_set():
    _story_0().actors.set([Actor.objects.get(slug="japan")])


@pytest.mark.parametrize(
    "untag",
    [_untag_with_remove, _untag_from_the_actor, _untag_with_clear, _untag_by_deleting_the_link, _untag_with_set],
)
def test_untagging_a_published_article_changes_the_cached_counts_at_once(client, archive, untag):
    assert _numbers(client) == BEFORE
    untag()
    after = _numbers(client)
    assert after["home actors"] == ["Japan 3"]
    assert after["actors"] == [("Japan", 3)]
    assert after["actor index"] == {"japan": 3, "russia": 0}
    assert after["home"] == "3 articles from 2 sources, about 1 actor and 1 territory"


def _tag_with_add():
    _story_0().territories.add(make_territory(name="Iturup", slug="iturup"))


def _tag_in_bulk():
    # The admin's bulk "Add a territory" action.
    from archive.models import ArticleTerritory

    ArticleTerritory.objects.bulk_create(
        [ArticleTerritory(article=_story_0(), territory=make_territory(name="Iturup", slug="iturup"))]
    )


@pytest.mark.parametrize("tag", [_tag_with_add, _tag_in_bulk])
def test_tagging_a_published_article_changes_the_cached_counts_at_once(client, archive, tag):
    assert _numbers(client) == BEFORE
    tag()
    after = _numbers(client)
    assert after["territories"] == [("Kuril Islands", 3), ("Iturup", 1)]
    assert after["home"] == "3 articles from 2 sources, about 2 actors and 2 territories"


def test_publishing_a_draft_counts_it_at_once(client, archive):
    assert _numbers(client) == BEFORE
    Article.objects.filter(slug="draft").update(status=Article.Status.PUBLISHED)
    after = _numbers(client)
    assert after["list"] == 4
    assert after["sources"] == [("TASS", 2), ("The Japan Times", 2)]
    assert after["actor index"] == {"japan": 4, "russia": 1}


def test_a_new_published_article_is_counted_at_once(client, archive):
    assert _numbers(client) == BEFORE
    Article.objects.bulk_create(
        [
            Article(
                title="Bulk",
                slug="bulk",
                status=Article.Status.PUBLISHED,
                published_on=datetime.date(2014, 1, 1),
                date_precision="year",
            )
        ]
    )
    after = _numbers(client)
    assert after["list"] == 4
    assert after["years"] == [("2016", 2), ("2015", 1), ("2014", 1)]


def test_redating_or_moving_a_published_article_changes_the_cached_numbers(client, archive):
    assert _numbers(client) == BEFORE
    article = _story_0()
    article.published_on = datetime.date(2015, 12, 15)
    article.source = Source.objects.get(slug="tass")
    article.save()
    after = _numbers(client)
    assert after["years"] == [("2016", 1), ("2015", 2)]
    assert after["sources"] == [("TASS", 2), ("The Japan Times", 1)]


def test_editing_a_draft_or_a_published_articles_text_keeps_the_cached_numbers(
    client, archive, django_assert_num_queries
):
    client.get("/")
    draft = Article.objects.get(slug="draft")
    draft.title = "A better title"
    draft.save()
    draft.actors.add(Actor.objects.get(slug="russia"))
    published = _story_0()
    published.title = "Corrected headline"
    published.save()
    # The home page's queries without the numbers (tests/test_query_counts.py).
    with django_assert_num_queries(8):
        assertContains(client.get("/"), "Corrected headline")


def test_numbers_recounted_before_a_withdrawal_commits_are_not_read_after_it(
    archive, monkeypatch, django_capture_on_commit_callbacks
):
    # Another process recounting while the withdrawal's transaction is still open reads
    # the database as it was, and caches a count with the article in it.
    as_before_the_commit = stats.periods()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(slug="story-0").update(status=WITHDRAWN)
        with monkeypatch.context() as patched:
            patched.setattr(stats, "_archive_periods", lambda: as_before_the_commit)
            assert stats.published_count() == 3
    assert stats.published_count() == 2


def test_the_cached_numbers_are_the_exact_ones(archive):
    for model in (Source, Actor, Territory):
        exact = dict(model.objects.most_covered().values_list("pk", "article_count"))
        assert stats.article_counts(model) == exact
        assert [e.article_count for e in model.objects.top_covered(10)] == [
            e.article_count for e in model.objects.most_covered()[:10]
        ]
    # Any queryset that is not literally every published article is counted directly.
    exact = coverage(Article.objects.published().filter(pk__gt=0))
    assert coverage(Article.objects.published()) == exact
    japan = Actor.objects.get(slug="japan")
    assert coverage(Article.objects.none(), scope=stats.Scope(japan)) == coverage(
        Actor.objects.articles_of(japan).filter(pk__gt=0)
    )
    in_2016 = stats.Scope(japan, datetime.date(2016, 1, 1), datetime.date(2016, 12, 31))
    assert in_2016.count() == 2


def _scope(query):
    filterset = ArticleFilter(QueryDict(query) if query else None, queryset=Article.objects.published())
    return facets.scope_of(filterset)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", (None, None, None)),
        ("sort=oldest&page=2", (None, None, None)),
        ("actor=japan", ("japan", None, None)),
        ("source=tass&sort=oldest", ("tass", None, None)),
        ("territory=kurils&from=2015&to=2016-11", ("kurils", datetime.date(2015, 1, 1), datetime.date(2016, 11, 30))),
        ("from=2016", (None, datetime.date(2016, 1, 1), None)),
    ],
)
def test_a_result_the_cached_numbers_describe_has_a_scope(archive, query, expected):
    scope = _scope(query)
    assert (getattr(scope.entity, "slug", None), scope.start, scope.end) == expected


@pytest.mark.parametrize(
    "query",
    [
        "q=talks",
        "q=-talks",
        "actor=japan&actor=russia",
        "actor=japan&territory=kurils",
        "actor_not=russia",
        "from=2016-12-02",
        "to=2016-12-15",
        "actor=nobody",
        "from=someday",
    ],
)
def test_a_search_an_exclusion_two_tags_or_a_date_within_a_month_has_no_scope(archive, query):
    assert _scope(query) is None


@pytest.fixture
def small_sample(monkeypatch):
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 2)


def test_a_large_results_facets_are_counted_in_its_first_articles_and_say_so(client, archive, small_sample):
    response = client.get("/articles/", {"actor": "japan"})
    # The newest two of Japan's three articles: one about Russia too, one from each source.
    assert [item[:2] for item in facet_items(response, "source")] == [("TASS", 1), ("The Japan Times", 1)]
    assert [item[:2] for item in facet_items(response, "actor")] == [("Japan", 2), ("Russia", 1)]
    # The years of a single tag's articles are the cached, exact ones.
    assert [item[:2] for item in facet_items(response, "year")] == [("2016", 2), ("2015", 1)]
    notes = [note.text() for note in parse_page(response).find_all("p", cls="chart-note")]
    assert notes.count("Counted in the newest 2 of 3 articles.") == 3

    response = client.get("/articles/", {"actor": "japan", "sort": "oldest"})
    assert [item[:2] for item in facet_items(response, "actor")] == [("Japan", 2)]
    assertContains(response, "Counted in the oldest 2 of 3 articles.", count=3)


def test_without_a_scope_a_large_results_years_are_sampled_too(client, archive, small_sample):
    response = client.get("/articles/", {"actor": "japan", "territory": "kurils"})
    assert [item[:2] for item in facet_items(response, "year")] == [("2016", 2)]
    assertContains(response, "Counted in the newest 2 of ", count=4)


def test_a_small_results_facets_are_exact_and_say_nothing_more(client, archive):
    response = client.get("/articles/", {"actor": "japan", "territory": "kurils"})
    assert [item[:2] for item in facet_items(response, "source")] == [("The Japan Times", 2), ("TASS", 1)]
    assert "Counted in" not in response.content.decode()


@pytest.mark.parametrize("newest", [True, False], ids=["newest", "oldest"])
@pytest.mark.parametrize("semi_join", [True, False], ids=["walking-dates", "reading-the-tag"])
def test_a_scope_lists_its_articles_in_the_lists_order_undated_last(archive, monkeypatch, newest, semi_join):
    japan = Actor.objects.get(slug="japan")
    times = Source.objects.get(slug="japan-times")
    for n in range(2):
        make_article(title=f"Undated {n}", slug=f"undated-{n}", source=times, actors=[japan])
    make_article(title="Same day", slug="same-day", published_on=datetime.date(2016, 12, 15), actors=[japan])
    # Both ways of finding a tag's articles, whatever the numbers would choose.
    monkeypatch.setattr(stats.Scope, "_walks_dates", lambda self, top: semi_join)
    scopes = [
        stats.Scope(),
        stats.Scope(japan),
        stats.Scope(times),
        stats.Scope(japan, datetime.date(2016, 1, 1), datetime.date(2016, 12, 31)),
        stats.Scope(None, None, datetime.date(2016, 11, 30)),
    ]
    for scope in scopes:
        ordered = scope.articles().newest_first() if newest else scope.articles().oldest_first()
        expected = list(ordered.values_list("slug", flat=True))
        assert scope.count() == len(expected)
        for bottom, top in [(0, 2), (1, 4), (2, 10), (0, 100), (5, 5)]:
            listed = scope.listed(bottom, top, newest=newest)
            assert [article.slug for article in listed] == expected[bottom:top], (scope, bottom, top)


@pytest.mark.parametrize("query", ["", "actor=japan", "source=tass&sort=oldest", "actor=japan&from=2016&to=2016"])
def test_a_listing_pages_through_the_same_articles_as_the_filtered_list(archive, query):
    filterset = ArticleFilter(QueryDict(query) if query else None, queryset=Article.objects.published())
    expected = list(filterset.qs.values_list("slug", flat=True))
    listing = facets.listing_of(filterset)
    paginator = ArchivePaginator(listing, 2, count=listing.count())
    assert paginator.count == len(expected)
    pages = [paginator.page(number) for number in paginator.page_range]
    assert [article.slug for page in pages for article in page.object_list] == expected
