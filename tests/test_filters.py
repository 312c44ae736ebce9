"""Narrowing /articles/: by source, actor, territory and dates, sorted, with facets and pages
that keep every filter, and with bad input shown as an error over an empty list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from archive import stats
from archive.models import Actor, Article, Territory
from tests.conftest import facet_items, listed_titles, make_actor, make_article, make_source, make_territory


@pytest.fixture
def archive(db):
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    china = make_actor(name="China", slug="china")
    kurils = make_territory(name="Kuril Islands", slug="kurils", kind=Territory.Kind.ISLAND_GROUP)
    senkaku = make_territory(
        name="Senkaku Islands",
        slug="senkaku",
        kind=Territory.Kind.DISPUTED,
        names=[{"name": "Diaoyu Islands", "used_by": china, "preferred": True}],
    )
    japan_times = make_source(name="The Japan Times", slug="japan-times")
    tass = make_source(name="TASS", slug="tass")

    make_article(
        title="Nagato summit",
        source=japan_times,
        published_on=datetime.date(2016, 12, 15),
        actors=[japan, russia],
        territories=[kurils],
    )
    make_article(
        title="December report",
        source=tass,
        published_on=datetime.date(2016, 12, 1),
        date_precision="month",
        actors=[russia],
        territories=[kurils],
    )
    make_article(
        title="Review of 2017",
        source=tass,
        published_on=datetime.date(2017, 1, 1),
        date_precision="year",
        actors=[japan, russia, china],
        territories=[senkaku],
    )
    make_article(
        title="Spring patrols",
        source=japan_times,
        published_on=datetime.date(2015, 5, 16),
        actors=[china, japan],
        territories=[senkaku],
    )
    make_article(title="Undated protest", actors=[japan])
    make_article(
        title="New Year's Eve statement",
        source=tass,
        published_on=datetime.date(2016, 12, 31),
        actors=[russia],
        territories=[kurils],
    )


NEWEST_FIRST = [
    "Review of 2017",
    "New Year's Eve statement",
    "Nagato summit",
    "December report",
    "Spring patrols",
    "Undated protest",
]


def _titles(client, query):
    response = client.get("/articles/", query)
    assert response.status_code == 200
    return listed_titles(response)


# --- One filter at a time ------------------------------------------------------------------


def test_without_filters_every_published_article_is_listed_newest_first(client, archive):
    assert _titles(client, {}) == NEWEST_FIRST


def test_source_filter_lists_only_that_sources_articles(client, archive):
    assert _titles(client, {"source": "tass"}) == ["Review of 2017", "New Year's Eve statement", "December report"]


def test_two_sources_list_the_articles_of_either(client, archive):
    # An article has one source, so "both" would always be empty: sources are alternatives.
    assert _titles(client, {"source": ["tass", "japan-times"]}) == NEWEST_FIRST[:5]


def test_actor_filter_lists_only_articles_tagged_with_that_actor(client, archive):
    assert _titles(client, {"actor": "china"}) == ["Review of 2017", "Spring patrols"]


def test_two_actors_list_only_articles_tagged_with_both(client, archive):
    assert _titles(client, {"actor": ["japan", "russia"]}) == ["Review of 2017", "Nagato summit"]


def test_three_actors_list_only_articles_tagged_with_all_three(client, archive):
    assert _titles(client, {"actor": ["japan", "russia", "china"]}) == ["Review of 2017"]


def test_territory_filter_lists_only_articles_tagged_with_that_territory(client, archive):
    assert _titles(client, {"territory": "kurils"}) == ["New Year's Eve statement", "Nagato summit", "December report"]


def test_two_territories_list_only_articles_tagged_with_both(client, archive):
    assert _titles(client, {"territory": ["kurils", "senkaku"]}) == []


@pytest.mark.parametrize(
    ("actors", "territories"),
    [
        (["japan", "russia"], []),
        (["japan"], ["senkaku"]),
        (["japan", "russia", "china"], ["senkaku"]),
        ([], ["kurils", "senkaku"]),
        (["russia", "russia"], ["kurils"]),
        (["japan"], []),
        ([], ["senkaku"]),
    ],
)
@pytest.mark.parametrize("common", [True, False])
def test_tags_intersected_or_joined_find_the_same_articles(archive, monkeypatch, actors, territories, common):
    """SQLite intersects the tags' lists of an unsearched list and joins them under a
    search (ArticleQuerySet.tagged_with); PostgreSQL always joins. One tag whose first
    rows are read is checked in each article (EXISTS) on SQLite when it is common."""
    monkeypatch.setattr(stats, "read_in_date_order", lambda model, pk: common)
    actors = [Actor.objects.get(slug=slug) for slug in actors]
    territories = [Territory.objects.get(slug=slug) for slug in territories]
    make_article(title="Draft with every tag", status=Article.Status.DRAFT, actors=actors, territories=territories)
    published = Article.objects.published()
    expected = {
        article.pk
        for article in published
        if set(actors) <= set(article.actors.all()) and set(territories) <= set(article.territories.all())
    }
    assert set(published.tagged_with(actors, territories).values_list("pk", flat=True)) == expected
    assert set(published.tagged_with(actors, territories, searched=True).values_list("pk", flat=True)) == expected
    first_rows = published.tagged_with(actors, territories, first_rows=True)
    assert set(first_rows.values_list("pk", flat=True)) == expected
    walked = connection.vendor == "sqlite" and common and len(actors) + len(territories) == 1
    assert ("EXISTS" in str(first_rows.query)) == walked


def test_a_tag_is_read_in_date_order_when_its_articles_squared_are_ten_times_the_archive(db):
    everywhere, seldom = make_actor(name="Everywhere", slug="everywhere"), make_actor(name="Seldom", slug="seldom")
    for n in range(10):
        make_article(actors=[everywhere, seldom] if n < 3 else [everywhere])
    make_article(actors=[everywhere, seldom], status=Article.Status.DRAFT)  # not counted
    assert stats.read_in_date_order(Actor, everywhere.pk)  # 10 × 10 ≥ 10 × 10
    assert not stats.read_in_date_order(Actor, seldom.pk)  # 3 × 3 < 10 × 10
    assert not stats.read_in_date_order(Territory, 12345)  # no articles


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan for one common tag")
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_common_tag_with_an_exclusion_walked_in_date_order_lists_what_the_join_lists(
    client, archive, monkeypatch, sort
):
    """560 ms joined, 8 ms walked, at a million articles: the same rows either way."""
    query = {"actor": "japan", "actor_not": "china", "sort": sort}
    join = 'FROM "archive_article" INNER JOIN "archive_articleactor"'
    with CaptureQueriesContext(connection) as queries:
        joined = _titles(client, query)
    assert len(joined) == 2 and "Spring patrols" not in joined
    assert any(join in q["sql"] for q in queries)
    monkeypatch.setattr(stats, "read_in_date_order", lambda model, pk: True)
    with CaptureQueriesContext(connection) as queries:
        assert _titles(client, query) == joined
    assert not any(join in q["sql"] for q in queries)


def test_the_same_actor_twice_is_the_same_as_once(client, archive):
    assert _titles(client, {"actor": ["china", "china"]}) == ["Review of 2017", "Spring patrols"]


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"from": "2016"}, ["Review of 2017", "New Year's Eve statement", "Nagato summit", "December report"]),
        ({"from": "2016-12"}, ["Review of 2017", "New Year's Eve statement", "Nagato summit", "December report"]),
        ({"from": "2016-12-02"}, ["Review of 2017", "New Year's Eve statement", "Nagato summit"]),
        ({"from": "2017"}, ["Review of 2017"]),
        ({"to": "2015"}, ["Spring patrols"]),
        ({"to": "2016-12"}, ["New Year's Eve statement", "Nagato summit", "December report", "Spring patrols"]),
        ({"to": "2016-12-30"}, ["Nagato summit", "December report", "Spring patrols"]),
        ({"to": "2016-12-31"}, ["New Year's Eve statement", "Nagato summit", "December report", "Spring patrols"]),
        ({"from": "2016-12-15", "to": "2016-12-15"}, ["Nagato summit"]),
        ({"from": "2016", "to": "2016"}, ["New Year's Eve statement", "Nagato summit", "December report"]),
        ({"from": "2015-05", "to": "2016-06"}, ["Spring patrols"]),
        ({"from": "2016-2", "to": "2016-12-1"}, ["December report"]),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "",
)
def test_date_filters_accept_a_year_a_month_or_a_day(client, archive, query, expected):
    assert _titles(client, query) == expected


def test_to_a_month_includes_its_last_day(client, archive):
    assert "New Year's Eve statement" in _titles(client, {"to": "2016-12"})


def test_to_a_leap_month_includes_the_29th(client, db):
    make_article(title="Leap day", published_on=datetime.date(2016, 2, 29))
    assert _titles(client, {"to": "2016-02"}) == ["Leap day"]
    assert _titles(client, {"from": "2016-02-29", "to": "2016-02-29"}) == ["Leap day"]


def test_an_article_of_unknown_date_is_left_out_by_any_date_filter(client, archive):
    assert "Undated protest" not in _titles(client, {"from": "0001"})
    assert "Undated protest" not in _titles(client, {"to": "9999"})


# --- Sorting -------------------------------------------------------------------------------


def test_sort_newest_lists_newest_first_and_unknown_dates_last(client, archive):
    assert _titles(client, {"sort": "newest"}) == NEWEST_FIRST


def test_sort_oldest_lists_oldest_first_and_unknown_dates_still_last(client, archive):
    assert _titles(client, {"sort": "oldest"}) == [
        "Spring patrols",
        "December report",
        "Nagato summit",
        "New Year's Eve statement",
        "Review of 2017",
        "Undated protest",
    ]


def test_articles_of_the_same_date_keep_a_stable_order(client, db):
    for n in range(3):
        make_article(title=f"Same day {n}", published_on=datetime.date(2016, 1, 1))
    assert _titles(client, {"sort": "newest"}) == ["Same day 2", "Same day 1", "Same day 0"]
    assert _titles(client, {"sort": "oldest"}) == ["Same day 0", "Same day 1", "Same day 2"]


# --- Combined ------------------------------------------------------------------------------


def test_filters_combine(client, archive):
    assert _titles(client, {"actor": "japan", "from": "2016", "sort": "oldest"}) == ["Nagato summit", "Review of 2017"]
    assert _titles(client, {"source": "tass", "territory": "kurils", "to": "2016-12-30"}) == ["December report"]
    assert _titles(client, {"source": "japan-times", "actor": ["china", "japan"], "territory": "senkaku"}) == [
        "Spring patrols"
    ]


def test_the_result_count_is_the_filtered_count(client, archive):
    response = client.get("/articles/", {"actor": ["japan", "russia"]})
    assertContains(
        response, '<h2 id="results-title" class="result-count" aria-live="polite">2 articles</h2>', html=True
    )


def test_chosen_tags_ride_along_when_the_date_form_is_submitted(client, archive):
    response = client.get("/articles/", {"actor": ["japan", "russia"], "source": "tass"})
    assertContains(response, '<input type="hidden" name="source" value="tass">', html=True)
    assertContains(response, '<input type="hidden" name="actor" value="japan">', html=True)
    assertContains(response, '<input type="hidden" name="actor" value="russia">', html=True)


# --- Facets --------------------------------------------------------------------------------


def test_facets_count_the_current_result(client, archive):
    response = client.get("/articles/", {"source": "tass", "actor": "russia"})
    assert [item[:2] for item in facet_items(response, "source")] == [("TASS", 3)]
    assert [item[:2] for item in facet_items(response, "actor")] == [("Russia", 3), ("China", 1), ("Japan", 1)]
    assert [item[:2] for item in facet_items(response, "territory")] == [
        ("Kuril Islands", 2),
        ("Senkaku Islands / Diaoyu Islands", 1),
    ]
    assert [item[:2] for item in facet_items(response, "year")] == [("2017", 1), ("2016", 2)]


@pytest.mark.parametrize("params", [{"q": "summit"}, {"q": "summit", "sort": "oldest"}, {"actor_not": "japan"}])
def test_a_sampled_source_facet_counts_the_sources_of_the_first_articles_listed(db, client, monkeypatch, params):
    """The sources of a large result are counted in its first SAMPLE_SIZE articles, in
    the list's order: the articles without a source and the drafts are left out, and
    equal counts are in name order."""
    from archive import facets

    monkeypatch.setattr(facets, "SAMPLE_SIZE", 5)
    make_actor(name="Japan", slug="japan")  # on none of them: excluding it reads the list from its top
    zeta, alpha, beta = make_source(name="Zeta Daily"), make_source(name="Alpha Post"), make_source(name="Beta News")
    newest_first = [zeta, None, alpha, zeta, alpha, beta, beta, beta, beta]
    first = datetime.date(2020, 1, 1)
    for i, source in enumerate(reversed(newest_first)):
        make_article(title=f"Summit {i}", source=source, published_on=first + datetime.timedelta(days=i))
    make_article(title="Summit draft", source=beta, status=Article.Status.DRAFT, published_on=datetime.date(2021, 1, 1))
    listed = newest_first if params.get("sort") != "oldest" else newest_first[::-1]
    response = client.get("/articles/", params)
    if params.get("sort") == "oldest":
        assert [item[:2] for item in facet_items(response, "source")] == [("Beta News", 4), ("Alpha Post", 1)]
    else:
        assert [item[:2] for item in facet_items(response, "source")] == [("Alpha Post", 2), ("Zeta Daily", 2)]
    assert sum(item[1] for item in facet_items(response, "source")) == sum(s is not None for s in listed[:5])
    assertContains(response, "Counted in the")


def test_facets_of_an_unfiltered_list_count_all_published_articles(client, archive):
    response = client.get("/articles/")
    assert [item[:2] for item in facet_items(response, "actor")] == [("Japan", 4), ("Russia", 4), ("China", 2)]
    assert [item[:2] for item in facet_items(response, "source")] == [("TASS", 3), ("The Japan Times", 2)]
    assert [item[:2] for item in facet_items(response, "year")] == [("2017", 1), ("2016", 3), ("2015", 1)]


def test_a_facet_link_adds_its_value_and_keeps_the_other_filters(client, archive):
    response = client.get("/articles/", {"source": "tass", "actor": "russia"})
    actors = {label: (href, selected) for label, _, href, selected in facet_items(response, "actor")}
    assert actors["China"] == ("?source=tass&actor=russia&actor=china", False)
    territories = {label: href for label, _, href, _ in facet_items(response, "territory")}
    assert territories["Kuril Islands"] == "?source=tass&actor=russia&territory=kurils"
    years = {label: href for label, _, href, _ in facet_items(response, "year")}
    assert years["2016"] == "?source=tass&actor=russia&from=2016&to=2016"


def test_a_chosen_facet_value_is_marked_and_its_link_removes_only_it(client, archive):
    response = client.get("/articles/", {"source": "tass", "actor": ["russia", "japan"]})
    actors = {label: (href, selected) for label, _, href, selected in facet_items(response, "actor")}
    assert actors["Russia"] == ("?source=tass&actor=japan", True)
    assert actors["Japan"] == ("?source=tass&actor=russia", True)
    sources = {label: (href, selected) for label, _, href, selected in facet_items(response, "source")}
    assert sources["TASS"] == ("?actor=russia&actor=japan", True)


def test_a_chosen_year_is_marked_and_its_link_clears_the_dates(client, archive):
    response = client.get("/articles/", {"actor": "russia", "from": "2016", "to": "2016"})
    years = {label: (count, href, selected) for label, count, href, selected in facet_items(response, "year")}
    assert years == {"2016": (3, "?actor=russia", True)}


def test_following_a_facet_link_gives_the_narrower_result(client, archive):
    response = client.get("/articles/", {"source": "tass"})
    href = {label: href for label, _, href, _ in facet_items(response, "actor")}["China"]
    assert listed_titles(client.get(f"/articles/{href}")) == ["Review of 2017"]


def test_a_facet_link_starts_again_at_the_first_page(client, archive):
    response = client.get("/articles/", {"actor": "russia", "page": "1"})
    for _, _, href, _ in facet_items(response, "territory"):
        assert "page=" not in href


def test_a_facet_shows_a_chosen_value_whose_articles_are_all_listed(client, archive):
    response = client.get("/articles/", {"actor": "china", "territory": "senkaku"})
    assert facet_items(response, "territory") == [("Senkaku Islands / Diaoyu Islands", 2, "?actor=china", True)]


# --- Pagination ----------------------------------------------------------------------------


@pytest.fixture
def many(db):
    """30 articles about one actor, so that its list has two pages, and one about another."""
    korea = make_actor(name="South Korea", slug="south-korea")
    for n in range(30):
        make_article(
            title=f"Report {n:02d}", published_on=datetime.date(2010, 1, 1) + datetime.timedelta(days=n), actors=[korea]
        )
    make_article(title="Elsewhere", published_on=datetime.date(2020, 1, 1))


def test_pagination_links_keep_the_filters(client, many):
    first = client.get("/articles/", {"actor": "south-korea", "sort": "oldest"})
    assertContains(first, '<h2 id="results-title" class="result-count" aria-live="polite">30 articles</h2>', html=True)
    assert listed_titles(first) == [f"Report {n:02d}" for n in range(25)]
    # Oldest first, the next page is newer.
    assertContains(first, '<a href="?actor=south-korea&amp;sort=oldest&amp;page=2" rel="next">Newer →</a>', html=True)
    assertContains(first, "<span>Page 1 of 2</span>", html=True)

    second = client.get("/articles/", {"actor": "south-korea", "sort": "oldest", "page": "2"})
    assert listed_titles(second) == [f"Report {n:02d}" for n in range(25, 30)]
    assertContains(second, '<a href="?actor=south-korea&amp;sort=oldest&amp;page=1" rel="prev">← Older</a>', html=True)
    newest = client.get("/articles/", {"actor": "south-korea", "page": "2"})
    assertContains(newest, '<a href="?actor=south-korea&amp;page=1" rel="prev">← Newer</a>', html=True)
    ranked = client.get("/articles/", {"q": "report", "page": "1"})
    assertContains(ranked, '<a href="?q=report&amp;page=2" rel="next">Next →</a>', html=True)
    entity = client.get("/actors/south-korea/")
    assertContains(entity, '<a href="?page=2" rel="next">Older →</a>', html=True)
    assertNotContains(second, 'rel="next"')


def test_a_page_past_the_last_is_a_404(client, many):
    assert client.get("/articles/", {"actor": "south-korea", "page": "3"}).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "２", " 2", "1_0", "99999999999999999999"])
def test_a_page_that_is_not_a_plain_number_in_range_is_a_404(client, many, page):
    assert client.get("/articles/", {"actor": "south-korea", "page": page}).status_code == 404


def test_the_last_page_can_be_asked_for_by_name(client, many):
    response = client.get("/articles/", {"actor": "south-korea", "page": "last"})
    assert len(listed_titles(response)) == 5


# --- Invalid input -------------------------------------------------------------------------


def _assert_error_and_no_articles(response, error):
    assert response.status_code == 200
    assert listed_titles(response) == []
    assertContains(
        response,
        '<h2 id="results-title" class="result-count" aria-live="polite">'
        "No results: please correct the filters above.</h2>",
        html=True,
    )
    assertContains(response, error)
    # No facet either: they would count an unfiltered list.
    assertNotContains(response, 'class="facet"')
    assertNotContains(response, 'class="empty"')


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"source": "nobody"}, "Select a valid choice. nobody is not one of the available choices."),
        ({"actor": "nobody"}, "Select a valid choice. nobody is not one of the available choices."),
        ({"territory": "nowhere"}, "Select a valid choice. nowhere is not one of the available choices."),
        ({"actor": ["japan", "nobody"]}, "Select a valid choice. nobody is not one of the available choices."),
        ({"actor": "Japan!"}, "Select a valid choice. Japan! is not one of the available choices."),
        ({"from": "2015-13-45"}, "That date does not exist."),
        ({"to": "2015-02-29"}, "That date does not exist."),
        ({"from": "2015-13"}, "That date does not exist."),
        ({"to": "0000"}, "That date does not exist."),
        ({"from": "15 May 2015"}, "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"to": "2015/05/16"}, "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"from": "20155"}, "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"from": "２０１６"}, "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"to": "٢٠١٦-١٢"}, "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"from": "2017", "to": "2016"}, "“To” is before “From”."),
        ({"from": "2016-12-16", "to": "2016-12-15"}, "“To” is before “From”."),
        ({"sort": "random"}, "Select a valid choice. random is not one of the available choices."),
        ({"actor": ["japan"] * 11}, "Choose at most 10."),
    ],
    ids=[
        "unknown-source",
        "unknown-actor",
        "unknown-territory",
        "one-of-two-actors-unknown",
        "not-a-slug",
        "month-13-day-45",
        "29-february-2015",
        "month-13",
        "year-0",
        "words",
        "slashes",
        "five-digit-year",
        "full-width-digits",
        "arabic-indic-digits",
        "from-year-after-to",
        "from-day-after-to",
        "unknown-sort",
        "eleven-actors",
    ],
)
def test_invalid_filters_show_the_error_and_no_articles(client, archive, query, error):
    _assert_error_and_no_articles(client.get("/articles/", query), error)


def test_an_invalid_filter_beside_valid_ones_still_lists_nothing(client, archive):
    response = client.get("/articles/", {"source": "tass", "actor": "russia", "to": "2016-13"})
    _assert_error_and_no_articles(response, "That date does not exist.")


def test_an_invalid_date_is_shown_back_in_its_field(client, archive):
    response = client.get("/articles/", {"from": "2015-13-45"})
    assertContains(
        response,
        '<input type="text" name="from" id="id_from" value="2015-13-45" placeholder="YYYY-MM-DD" maxlength="10"'
        ' inputmode="numeric" aria-invalid="true" aria-describedby="from-errors">',
        html=True,
    )


def test_an_empty_filter_value_is_no_filter(client, archive):
    assert _titles(client, {"source": "", "actor": "", "territory": "", "from": "", "to": "", "sort": ""}) == (
        NEWEST_FIRST
    )


def test_a_valid_filter_that_matches_nothing_says_so_without_an_error(client, archive):
    make_actor(name="ASEAN", slug="asean", kind=Actor.Kind.INTERNATIONAL)
    response = client.get("/articles/", {"actor": "asean"})
    assert listed_titles(response) == []
    assertContains(
        response, '<h2 id="results-title" class="result-count" aria-live="polite">0 articles</h2>', html=True
    )
    assertContains(response, "No published article matches these filters.")


# --- Lists that no cached numbers describe ----------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "atom"])
def test_a_list_without_a_search_sorted_by_relevance_is_newest_first(client, archive, fmt):
    """Relevance ranks a search; without one there is nothing to rank by."""
    response = client.get("/articles/", {"sort": "relevance", "format": fmt})
    assert response.status_code == 200
    if fmt == "json":
        newest = client.get("/articles/", {"format": "json"}).json()["results"]
        assert response.json()["results"] == newest


@pytest.fixture
def many_with_two_tags(db, monkeypatch):
    """Sixty articles a week apart, every one about Japan and three in four about Russia
    too; the lists read at most ten rows before estimating (FETCH_LIMIT)."""
    from archive.search import plan

    monkeypatch.setattr(plan, "FETCH_LIMIT", 10)
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    first = datetime.date(2019, 1, 7)
    return [
        make_article(
            title=f"Talks {i}",
            published_on=first + datetime.timedelta(days=7 * i),
            actors=[japan, russia] if i % 4 else [japan],
        )
        for i in range(60)
    ]


def test_a_long_list_of_two_tags_is_read_in_part_and_its_size_estimated(client, many_with_two_tags, monkeypatch):
    from archive import facets

    monkeypatch.setattr(facets, "SAMPLE_SIZE", 5)
    both = [a for a in reversed(many_with_two_tags) if a.actors.count() == 2]  # 45, newest first
    data = client.get("/articles/", {"actor": ["japan", "russia"], "format": "json"}).json()
    assert data["count_estimated"] is True
    assert 30 <= data["count"] <= 60  # 45 at the density of the ten newest
    assert [r["slug"] for r in data["results"]] == [a.slug for a in both[:25]]
    # Past the rows read, a page is read from the list itself, in the same order.
    second = client.get("/articles/", {"actor": ["japan", "russia"], "format": "json", "page": 2}).json()
    assert [r["slug"] for r in second["results"]] == [a.slug for a in both[25:45]]
    page = client.get("/articles/", {"actor": ["japan", "russia"]})
    assertContains(page, f"about {data['count']} articles")
    assertContains(page, f"Counted in the newest 5 of about {data['count']} articles.")
    assertContains(page, "These filters match too many articles to chart their coverage")
    assertNotContains(page, 'id="coverage-title"')


def test_oldest_first_the_rows_are_read_from_the_other_end(client, many_with_two_tags):
    both = [a for a in many_with_two_tags if a.actors.count() == 2]  # 45, oldest first
    data = client.get("/articles/", {"actor": ["japan", "russia"], "sort": "oldest", "format": "json"}).json()
    assert data["count_estimated"] is True and 30 <= data["count"] <= 60
    assert [r["slug"] for r in data["results"]] == [a.slug for a in both[:25]]
    # An exclusion's 15 fit in the rows a page reads: counted exactly.
    only_japan = [a for a in many_with_two_tags if a.actors.count() == 1]
    data = client.get("/articles/", {"actor_not": "russia", "sort": "oldest", "format": "json"}).json()
    assert data["count_estimated"] is False and data["count"] == 15
    assert [r["slug"] for r in data["results"]] == [a.slug for a in only_japan]


def test_a_short_list_of_two_tags_is_counted_and_charted_exactly(client, many_with_two_tags):
    data = client.get("/articles/", {"actor": ["japan", "russia"], "from": "2019-01", "to": "2019-02", "format": "json"}).json()
    assert data["count_estimated"] is False
    assert data["count"] == 6  # seven Mondays from 7 January to 25 February, less the first
    page = client.get("/articles/", {"actor": ["japan", "russia"], "from": "2019-01", "to": "2019-02"})
    assertContains(page, 'id="coverage-title"')
    assertContains(page, "6 articles")


def test_the_chart_csv_of_a_list_read_in_part_is_refused_as_its_chart_is(client, many_with_two_tags):
    """Charting it would read every article: at a million, 6 s on SQLite for every article
    but one actor's. Its page shows no chart, and the CSV says why, reading no more."""
    both = {"actor": ["japan", "russia"], "format": "csv", "data": "coverage"}
    response = client.get("/articles/", both)
    assertContains(response, "These filters match too many articles to chart their coverage", status_code=400)
    # Read to its end, it is charted from the rows read, as its page's chart is.
    response = client.get("/articles/", {**both, "from": "2019-01", "to": "2019-02"})
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["month,articles", "2019-01,3", "2019-02,3"]
    response = client.get("/articles/", {"actor_not": "russia", "format": "csv", "data": "coverage"})
    assert response.status_code == 200
    assert sum(int(line.split(",")[1]) for line in response.content.decode().splitlines()[1:]) == 15


def test_a_list_read_from_its_top_goes_as_deep_as_a_search(client, many_with_two_tags):
    """Its deeper pages would read every article before them: a 400 that says what to do,
    before anything is read; a scope pages to its end (here a 404: there is no page 401)."""
    deep = {"actor": ["japan", "russia"], "page": 401}
    page = client.get("/articles/", deep)
    assertContains(page, "Lists filtered this way go 400 pages deep", status_code=400)
    data = client.get("/articles/", {**deep, "format": "json"}).json()
    assert data["errors"]["page"][0]["code"] == "too_deep"
    assert client.get("/articles/", {"actor_not": "russia", "page": 999999999}).status_code == 400
    assert client.get("/articles/", {"actor": "japan", "page": 401}).status_code == 404
    # Invalid filters are not refused for their depth: their first page shows the errors,
    # and a later page, like any page past the end, is a 404.
    assertContains(client.get("/articles/", {"actor": ["japan", "nobody"]}), 'class="errors"')
    assert client.get("/articles/", {"actor": ["japan", "nobody"], "page": 401}).status_code == 404
