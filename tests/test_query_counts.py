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
    # 1. count of published articles
    # 2. count of sources with published articles
    # 3. count of actors with published articles
    # 4. count of territories with published articles
    # 5. latest articles with their sources
    # 6. their actors
    # 7. their territories
    # 8. those territories' names (labels)
    # 9. most-covered actors
    # 10. most-covered territories
    # 11. their names (labels)
    _assert_queries(client, django_assert_num_queries, "/", 11)


def test_article_list_queries(client, archive, django_assert_num_queries):
    # 1. count of the result (paginator)
    # 2. source facet
    # 3. actor facet
    # 4. territory facet
    # 5. the facet territories' names (labels)
    # 6. year facet
    # 7. coverage over time: articles per month and precision
    # 8. the page of articles with their sources
    # 9. their actors
    # 10. their territories
    # 11. those territories' names (labels)
    _assert_queries(client, django_assert_num_queries, "/articles/", 11)


def test_filtered_article_list_queries(client, archive, django_assert_num_queries):
    # 1. the actor slugs, checked by the form
    # 2. the territory slug, checked by the form
    # 3. count of the result (paginator)
    # 4.-8. source, actor, territory facets, the territories' names, year facet
    # 9. coverage over time
    # 10. the chosen territory's names, for its label in the filters in force
    # 11. the page of articles with their sources
    # 12.-14. their actors, territories, and those territories' names
    path = "/articles/?actor=japan&actor=person-0&territory=kurils&from=2016&to=2016-12&sort=oldest"
    _assert_queries(client, django_assert_num_queries, path, 14)


def test_search_queries(client, archive, django_assert_num_queries):
    # 1.-5. the table of names for alias expansion (actors, their names, territories and
    #       their names twice), read once and then kept in the cache
    # 6. count of the result (paginator)
    # 7.-11. source, actor, territory facets, the territories' names, year facet
    # 12. coverage over time
    # 13. the page of articles with their sources, ranked
    # 14.-16. their actors, territories, and those territories' names (tags, and which
    #         name matched)
    _assert_queries(client, django_assert_num_queries, "/articles/?q=Northern+Territories+report", 16)
    # The names now come from the cache.
    _assert_queries(client, django_assert_num_queries, "/articles/?q=Northern+Territories+report", 11)


def test_invalid_filter_queries(client, archive, django_assert_num_queries):
    # 1. the actor slug, checked by the form and not found. Nothing else: no list, no facets.
    _assert_queries(client, django_assert_num_queries, "/articles/?actor=nobody", 1)


def test_article_list_json_queries(client, archive, django_assert_num_queries):
    # 1. the actor slug, checked by the form
    # 2. count of the result (paginator)
    # 3. the page of articles with their sources
    # 4. their actors
    # 5. their territories
    # 6. those territories' names (labels). No facets: JSON has none.
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
    # 5. its actor ids, for related articles
    # 6. its territory ids, for related articles
    # 7. related articles with their sources
    # 8. their actors
    # 9. their territories
    # 10. those territories' names
    _assert_queries(client, django_assert_num_queries, article_with_related.get_absolute_url(), 10)


@pytest.mark.parametrize(
    ("path", "count"),
    [
        # 1. count of actors (paginator); 2. the page of actors with their article counts
        ("/actors/", 2),
        ("/actors/?kind=person", 2),
        # 1. count; 2. the page of territories with their article counts; 3. their names
        ("/territories/", 3),
        # 1. count; 2. the page of sources with their article counts
        ("/sources/", 2),
        ("/sources/?format=json", 2),
        ("/territories/?format=json", 3),
    ],
)
def test_entity_index_queries(client, archive, django_assert_num_queries, path, count):
    _assert_queries(client, django_assert_num_queries, path, count)


def test_actor_page_queries(client, archive, django_assert_num_queries):
    # 1. the actor with the state it acts for
    # 2. its other names
    # 3. the territories it claims
    # 4. the territories it administers
    # 5. the names of both (their labels)
    # 6. count of its published articles (paginator)
    # 7. coverage over time
    # 8. the page of articles with their sources
    # 9.-11. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/actors/japan/", 11)


def test_territory_page_queries(client, archive, django_assert_num_queries):
    # 1. the territory with what it is part of and who administers it
    # 2. its names
    # 3. the actors that use them
    # 4. its claimants
    # 5. its parts
    # 6. the parts' names (labels)
    # 7. the names of what it is part of (label)
    # 8. count of its published articles (paginator)
    # 9. coverage over time
    # 10.-11. who says what: articles containing each of its two names, by source and
    #         year (one query per name; it has two claimants, so it is disputed)
    # 12. the page of articles with their sources
    # 13.-15. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/territories/kurils/", 15)


def test_source_page_queries(client, archive, django_assert_num_queries):
    # 1. the source with its parent and its country
    # 2. the outlets that belong to it
    # 3. count of its published articles (paginator)
    # 4. coverage over time
    # 5. the page of articles with their sources
    # 6.-8. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/sources/paper-0/", 8)
    # The group has `size` outlets and no article of its own: 1.-3. only, as the empty
    # page of articles (and its empty coverage) is known empty without asking.
    _assert_queries(client, django_assert_num_queries, "/sources/group/", 3)


def test_entity_page_json_queries(client, archive, django_assert_num_queries):
    # 1. the actor (nothing about it beyond its slug is exported)
    # 2. count of its published articles (paginator)
    # 3. the page of articles with their sources
    # 4.-6. their actors, territories, and those territories' names
    _assert_queries(client, django_assert_num_queries, "/actors/japan/?format=json", 6)


def test_coverage_csv_queries(client, archive, django_assert_num_queries):
    # 1. the actor slug, checked by the form
    # 2. coverage over time: one GROUP BY over the filtered result
    _assert_queries(client, django_assert_num_queries, "/articles/?format=csv&data=coverage&actor=japan", 2)
    # 1. the territory; 2. coverage over time
    _assert_queries(client, django_assert_num_queries, "/territories/kurils/?format=csv&data=coverage", 2)
