"""Each public page costs a fixed number of queries, whatever the number of articles on it.

Every test runs with 1 and with 25 articles (a full page): the same count for both is the
proof that nothing is fetched once per article, per tag or per name. The comment above each
count lists its queries in order, so that a change in the count says what changed.
"""

import datetime

import pytest

from archive.models import Actor, ActorName, Claim, Territory
from tests.conftest import make_actor, make_article, make_source, make_territory

SIZES = [1, 25]


def _archive(size):
    """`size` articles, each by its own source, about its own person and island and about
    Japan and the Kuril Islands, which every entity on the page links to or names."""
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    ActorName.objects.create(actor=japan, name="日本", language="ja")
    pacific = make_territory(name="Pacific", slug="pacific", kind=Territory.Kind.SEA, names=[{"name": "Pacific Ocean"}])
    kurils = make_territory(
        name="Kuril Islands",
        slug="kurils",
        kind=Territory.Kind.DISPUTED,
        part_of=pacific,
        administered_by=russia,
        names=[
            {"name": "Northern Territories", "used_by": japan, "preferred": True},
            {"name": "Southern Kurils", "used_by": russia, "preferred": True},
        ],
    )
    Claim.objects.create(territory=kurils, claimant=japan)
    Claim.objects.create(territory=kurils, claimant=russia)
    group = make_source(name="Media Group", slug="group", country=japan)
    articles = []
    for n in range(size):
        person = make_actor(name=f"Person {n:02d}", slug=f"person-{n}", kind=Actor.Kind.PERSON, state=japan)
        ActorName.objects.create(actor=person, name=f"Alias {n:02d}")
        island = make_territory(
            name=f"Island {n:02d}",
            slug=f"island-{n}",
            part_of=kurils,
            names=[{"name": f"Shima {n:02d}", "used_by": japan, "preferred": True}],
        )
        source = make_source(name=f"Paper {n:02d}", slug=f"paper-{n}", country=japan, parent=group)
        articles.append(
            make_article(
                title=f"Report {n:02d}",
                slug=f"report-{n}",
                source=source,
                byline="A. Correspondent",
                published_on=datetime.date(2016, 1, 1) + datetime.timedelta(days=n),
                actors=[japan, person],
                territories=[kurils, island],
            )
        )
    return articles


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-articles")
def archive(request, db):
    return _archive(request.param)


def _assert_queries(client, django_assert_num_queries, path, count):
    with django_assert_num_queries(count):
        response = client.get(path)
    assert response.status_code == 200


def test_home_page_queries(client, archive, django_assert_num_queries):
    # The archive's numbers are counted on the first visit and then read from the cache
    # (archive.stats) until the published set changes.
    # 1. published articles per date (their sum is the count)
    # 2. those of 1 January dated to a year only
    # 3. the ids of the latest dated articles (Scope.listed)
    # 4. those articles with their sources
    # 5. their actors
    # 6. their territories
    # 7. those territories' names (labels)
    # 8. tag links per actor
    # 9. those of unpublished articles (8. less 9.: published articles per actor)
    # 10. the most-covered actors
    # 11.-12. published articles per territory, as 8.-9.
    # 13. the most-covered territories
    # 14. their names (labels)
    # 15. published articles per source
    _assert_queries(client, django_assert_num_queries, "/", 15)
    # 3.-7., 10., 13. and 14. only: the numbers come from the cache.
    _assert_queries(client, django_assert_num_queries, "/", 8)


def test_article_list_queries(client, archive, django_assert_num_queries):
    # Unfiltered, the count, the facets and the coverage are the archive's cached numbers
    # (archive.stats), counted on the first visit, and the page is read off the date index.
    # 1.-2. published articles per date, and those of 1 January dated to a year only
    #       (the count, the year facet and coverage over time)
    # 3. the page's article ids (dated ones; the cached numbers say none are undated)
    # 4. those articles with their sources
    # 5.-7. their actors, territories, and those territories' names (labels)
    # 8. published articles per source
    # 9. the source facet's sources
    # 10.-11. tag links per actor, and those of unpublished articles
    # 12. the actor facet's actors
    # 13.-15. the same for territories
    # 16. the facet territories' names (labels)
    _assert_queries(client, django_assert_num_queries, "/articles/", 16)
    # 1., 2., 8., 10., 11., 13. and 14. now come from the cache.
    _assert_queries(client, django_assert_num_queries, "/articles/", 9)


def test_filtered_article_list_queries(client, archive, django_assert_num_queries):
    # 1. the actor slugs, checked by the form
    # 2. the territory slug, checked by the form
    # 3. the chosen territory's names, for its label in the filters in force
    # 4. the result read once, in order (archive.search.plan.Result, as for a search):
    #    every article's id and date, up to 3,001; its count, page, facets' sample and
    #    coverage over time come from these
    # 5. the page's articles with their sources
    # 6.-8. their actors, territories, and those territories' names
    # 9.-12. source, actor, territory facets over the first articles, the territories' names
    path = "/articles/?actor=japan&actor=person-0&territory=kurils&from=2016&to=2016-12&sort=oldest"
    _assert_queries(client, django_assert_num_queries, path, 12)


def test_search_queries(client, archive, django_assert_num_queries):
    # 1.-5. the table of names for alias expansion (actors, their names, territories and
    #       their names twice), read once and then kept in memory under a cached version
    # 6. published articles per date (archive.search.plan's histogram, kept likewise)
    # 7.-9. how many articles the query may match (archive.search.plan): the name's text
    #       matches counted up to the exact limit, its tagged articles, the word's matches
    # 10. the result read once (archive.search.plan.Result): every match's id and date,
    #     ranked; its count, page, facets' sample and coverage over time come from these
    # 11.-14. the page's articles with their sources, their actors, territories, and
    #         those territories' names (tags, and which name matched)
    # 15.-18. source, actor, territory facets over the first matches, the territories' names
    _assert_queries(client, django_assert_num_queries, "/articles/?q=Northern+Territories+report", 18)
    # The names and the histogram now come from memory.
    _assert_queries(client, django_assert_num_queries, "/articles/?q=Northern+Territories+report", 12)
    # Its feed is read as its first pages: 1.-3. the estimate, 4. the result, 5.-8. the
    # feed's articles with their sources, actors, territories and territories' names.
    _assert_queries(client, django_assert_num_queries, "/articles/?q=Northern+Territories+report&format=atom", 8)


def test_invalid_filter_queries(client, archive, django_assert_num_queries):
    # 1. the actor slug, checked by the form and not found. Nothing else: no list, no facets.
    _assert_queries(client, django_assert_num_queries, "/articles/?actor=nobody", 1)


def test_article_list_json_queries(client, archive, django_assert_num_queries):
    # 1. the actor slug, checked by the form
    # 2. the actor's published articles per date (its cached numbers: the exact count)
    # 3.-4. the archive's published articles per date, and those of 1 January dated to a
    #       year only (cached: how the page is best read)
    # 5. the page's article ids
    # 6. those articles with their sources
    # 7.-9. their actors, territories, and those territories' names (labels). No facets:
    #       JSON has none.
    _assert_queries(client, django_assert_num_queries, "/articles/?format=json&actor=japan", 9)
    # 2.-4. now come from the cache.
    _assert_queries(client, django_assert_num_queries, "/articles/?format=json&actor=japan", 6)


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-related")
def article_with_related(request, db):
    # With nothing related, Django skips the related list's prefetches: the count is fixed
    # once there is at least one related article, so this fixture adds `size` of them.
    return _archive(request.param + 1)[0]


def test_article_detail_queries(client, article_with_related, django_assert_num_queries):
    # 1. the article with its source
    # 2. its actors
    # 3. its territories
    # 4. those territories' names (labels)
    # 5. related articles with their sources (the tags they share are the prefetched 2-3)
    # 6. their actors
    # 7. their territories
    # 8. those territories' names
    _assert_queries(client, django_assert_num_queries, article_with_related.get_absolute_url(), 8)


@pytest.mark.parametrize(
    ("path", "first", "then"),
    [
        # 1. count of actors (paginator); 2.-3. tag links per actor, and those of
        # unpublished articles (archive.stats, then cached); 4. the page of actors
        ("/actors/", 4, 2),
        ("/actors/?kind=person", 4, 2),
        # 1. count; 2.-3. as for actors; 4. the page of territories; 5. their names
        ("/territories/", 5, 3),
        ("/territories/?format=json", 5, 3),
        # 1. count; 2. published articles per source (then cached); 3. the page of sources
        ("/sources/", 3, 2),
        ("/sources/?format=json", 3, 2),
    ],
)
def test_entity_index_queries(client, archive, django_assert_num_queries, path, first, then):
    _assert_queries(client, django_assert_num_queries, path, first)
    # The counts now come from the cache.
    _assert_queries(client, django_assert_num_queries, path, then)


def test_actor_page_queries(client, archive, django_assert_num_queries):
    # 1. the actor with the state it acts for
    # 2. its other names
    # 3. the territories it claims
    # 4. the territories it administers
    # 5. the names of both (their labels)
    # 6. its published articles per date and precision: their count (paginator) and the
    #    coverage over time (archive.stats, then cached)
    # 7.-8. the archive's published articles per date (Scope.listed weighs reading the
    #       date index against reading the actor's articles; then cached)
    # 9. the ids of the page's articles (Scope.listed)
    # 10. those articles with their sources
    # 11.-13. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/actors/japan/", 13)
    # 6.-8. now come from the cache.
    _assert_queries(client, django_assert_num_queries, "/actors/japan/", 10)


def test_territory_page_queries(client, archive, django_assert_num_queries):
    # 1. the territory with what it is part of and who administers it
    # 2. its names
    # 3. the actors that use them
    # 4. its claimants
    # 5. its parts
    # 6. the parts' names (labels)
    # 7. the names of what it is part of (label)
    # 8. its published articles per date and precision: their count (paginator) and the
    #    coverage over time (archive.stats, then cached)
    # 9.-10. the archive's published articles per date (then cached)
    # 11.-12. who says what: articles containing each of its two names, by source and
    #         year (one query per name; it has two claimants, so it is disputed)
    # 13. the ids of the page's articles
    # 14. those articles with their sources
    # 15.-17. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/territories/kurils/", 17)
    # 8.-10. now come from the cache.
    _assert_queries(client, django_assert_num_queries, "/territories/kurils/", 14)


def test_source_page_queries(client, archive, django_assert_num_queries):
    # 1. the source with its parent and its country
    # 2. the outlets that belong to it
    # 3. its published articles per date and precision: their count (paginator) and the
    #    coverage over time (archive.stats, then cached)
    # 4.-5. the archive's published articles per date (then cached)
    # 6. the ids of the page's articles
    # 7. those articles with their sources
    # 8.-10. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/sources/paper-0/", 10)
    _assert_queries(client, django_assert_num_queries, "/sources/paper-0/", 7)
    # The group has `size` outlets and no article of its own: 1.-3. only, as the empty
    # page of articles (and its empty coverage) is known empty without asking; then 1.-2.
    _assert_queries(client, django_assert_num_queries, "/sources/group/", 3)
    _assert_queries(client, django_assert_num_queries, "/sources/group/", 2)


def test_entity_page_json_queries(client, archive, django_assert_num_queries):
    # 1. the actor (nothing about it beyond its slug is exported)
    # 2. its published articles per date and precision, for their count (paginator;
    #    archive.stats, then cached)
    # 3.-4. the archive's published articles per date (then cached)
    # 5. the ids of the page's articles
    # 6. those articles with their sources
    # 7.-9. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/actors/japan/?format=json", 9)
    _assert_queries(client, django_assert_num_queries, "/actors/japan/?format=json", 6)


def test_coverage_csv_queries(client, archive, django_assert_num_queries):
    # The chart's numbers come from the same place as the chart's: the cached numbers
    # (archive.stats) for a whole source's, actor's or territory's articles.
    # 1. the actor slug, checked by the form
    # 2. its published articles per date (then cached)
    _assert_queries(client, django_assert_num_queries, "/articles/?format=csv&data=coverage&actor=japan", 2)
    _assert_queries(client, django_assert_num_queries, "/articles/?format=csv&data=coverage&actor=japan", 1)
    # 1. the territory; 2. its published articles per date (then cached)
    _assert_queries(client, django_assert_num_queries, "/territories/kurils/?format=csv&data=coverage", 2)
    _assert_queries(client, django_assert_num_queries, "/territories/kurils/?format=csv&data=coverage", 1)
    # A list the cached numbers do not describe is read as its page reads it, and charted
    # from those rows when they are all of it (the cached numbers, read first, say how to
    # read it): 1.-2. the actor and the source, checked by the form; 3. its articles' ids
    # and dates
    path = "/articles/?format=csv&data=coverage&actor=japan&source_not=group"
    client.get(path)
    _assert_queries(client, django_assert_num_queries, path, 3)


def test_feed_queries(client, archive, django_assert_num_queries):
    # A feed's 50 first articles are read as its list's pages are (Scope.listed).
    # 1. the actor
    # 2. its published articles per date (archive.stats: where its undated begin)
    # 3.-4. the archive's published articles per date, those of 1 January dated to a
    #       year only (how its articles are best read)
    # 5. the ids of its newest articles
    # 6. those articles with their sources
    # 7.-9. their actors, territories, and those territories' names (the categories)
    _assert_queries(client, django_assert_num_queries, "/actors/japan/?format=atom", 9)
    # 2.-4. now come from the cache.
    _assert_queries(client, django_assert_num_queries, "/actors/japan/?format=atom", 6)
    # The whole archive's, its numbers cached by now: 1. the ids of the newest, 2.-5. as
    # 6.-9. above.
    _assert_queries(client, django_assert_num_queries, "/articles/?format=atom", 5)


def test_sitemap_queries(client, archive, django_assert_num_queries):
    # The index: 1. the ranges of ids that hold a published article (one recursive
    # query, then cached); 2.-4. how many sources, actors and territories there are
    _assert_queries(client, django_assert_num_queries, "/sitemap.xml", 4)
    _assert_queries(client, django_assert_num_queries, "/sitemap.xml", 3)
    # A page of articles: 1. its range's published articles (the ranges from the cache),
    # whichever page it is
    _assert_queries(client, django_assert_num_queries, "/sitemap-articles.xml", 1)
    # A page of actors: 1. how many (the page number is checked); 2. their addresses
    _assert_queries(client, django_assert_num_queries, "/sitemap-actors.xml", 2)
