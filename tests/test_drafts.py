"""Drafts and withdrawn articles are invisible to the public: no page, no listing, no count.

Both carry a word found nowhere else ("Quokkagate"), in their title, lead, body and slug,
and share their actor, territory and source with two published articles, so that any leak
shows up either as the word or as a count that is too high.
"""

import datetime

import pytest
from pytest_django.asserts import assertContains

from archive.models import Article
from tests.conftest import (
    facet_items,
    listed_titles,
    make_actor,
    make_article,
    make_source,
    make_territory,
    parse_page,
)

SECRET = "quokkagate"


def _articles(count):
    return f"{count} article{'' if count == 1 else 's'}"


@pytest.fixture
def archive(db):
    actor = make_actor(name="Japan", slug="japan")
    territory = make_territory(name="Kuril Islands", slug="kurils")
    source = make_source(name="The Japan Times", slug="japan-times")
    # Tagged on the hidden articles only: public, but with nothing published about it.
    hidden_actor = make_actor(name="Nauru", slug="nauru")
    hidden_territory = make_territory(name="Rockall", slug="rockall")
    hidden_source = make_source(name="Pacific Wire", slug="pacific-wire")
    for n, status in enumerate([Article.Status.DRAFT, Article.Status.WITHDRAWN]):
        make_article(
            title=f"Quokkagate: the {status} story",
            slug=f"quokkagate-{status}",
            status=status,
            source=source if n == 0 else hidden_source,
            published_on=datetime.date(2016, 12, 20),
            byline="Quokkagate Reporter",
            lead="Quokkagate lead.",
            body="Quokkagate body.\n\nMore about quokkagate.",
            actors=[actor, hidden_actor],
            territories=[territory, hidden_territory],
        )
    make_article(
        title="Talks resume",
        slug="talks-resume",
        source=source,
        published_on=datetime.date(2016, 12, 15),
        actors=[actor],
        territories=[territory],
    )
    make_article(
        title="Talks stall",
        slug="talks-stall",
        source=source,
        published_on=datetime.date(2016, 12, 1),
        date_precision="month",
        actors=[actor],
        territories=[territory],
    )


PUBLIC_PAGES = [
    "/",
    "/articles/",
    "/articles/?actor=japan",
    "/articles/?actor=japan&actor=nauru",
    "/articles/?territory=kurils",
    "/articles/?source=japan-times",
    "/articles/?from=2016-12&to=2016-12",
    "/articles/?sort=oldest",
    "/articles/?page=last",
    "/articles/talks-resume/",
    "/articles/talks-stall/",
    "/actors/",
    "/actors/japan/",
    "/actors/nauru/",
    "/territories/",
    "/territories/kurils/",
    "/territories/rockall/",
    "/sources/",
    "/sources/japan-times/",
    "/sources/pacific-wire/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-actors.xml",
    "/sitemap-territories.xml",
    "/sitemap-sources.xml",
    "/robots.txt",
]
JSON_LISTS = [
    "/articles/",
    "/articles/?actor=japan",
    "/articles/?territory=kurils",
    "/articles/?source=japan-times",
    "/articles/?from=2016",
    "/actors/",
    "/actors/japan/",
    "/actors/nauru/",
    "/territories/",
    "/territories/kurils/",
    "/territories/rockall/",
    "/sources/",
    "/sources/japan-times/",
    "/sources/pacific-wire/",
]


@pytest.mark.parametrize("path", ["/articles/quokkagate-draft/", "/articles/quokkagate-withdrawn/"])
def test_a_hidden_article_has_no_page(client, archive, path):
    response = client.get(path)
    assertContains(response, "<h1>Not found</h1>", html=True, status_code=404)
    # The page repeats the address the reader typed (og:url), and nothing else of it.
    content = response.content.decode().lower().replace(path, "")
    assert SECRET not in content


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_public_page_mentions_a_hidden_article(client, archive, path):
    response = client.get(path)
    assert response.status_code == 200
    assert SECRET not in response.content.decode().lower()


@pytest.mark.parametrize("path", JSON_LISTS)
def test_no_json_list_mentions_a_hidden_article(client, archive, path):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}format=json")
    assert response.status_code == 200
    assert SECRET not in response.content.decode().lower()


def test_home_counts_only_published_articles_and_what_they_cover(client, archive):
    response = client.get("/")
    assertContains(
        response,
        '<p class="lede">2 articles from 1 source, about 1 actor and 1 territory'
        " — every place under each name its claimants use.</p>",
        html=True,
    )
    assertContains(
        response,
        '<ol class="ranked"><li><a href="/actors/japan/">Japan</a> <span class="count">2</span></li></ol>',
        html=True,
    )
    assertContains(
        response,
        '<ol class="ranked"><li><a href="/territories/kurils/">Kuril Islands</a>'
        ' <span class="count">2</span></li></ol>',
        html=True,
    )
    assert listed_titles(response) == ["Talks resume", "Talks stall"]


def test_the_article_list_counts_and_facets_only_published_articles(client, archive):
    response = client.get("/articles/")
    assertContains(
        response, '<h2 id="results-title" class="result-count" aria-live="polite">2 articles</h2>', html=True
    )
    assert listed_titles(response) == ["Talks resume", "Talks stall"]
    assert [item[:2] for item in facet_items(response, "source")] == [("The Japan Times", 2)]
    assert [item[:2] for item in facet_items(response, "actor")] == [("Japan", 2)]
    assert [item[:2] for item in facet_items(response, "territory")] == [("Kuril Islands", 2)]
    assert [item[:2] for item in facet_items(response, "year")] == [("2016", 2)]


def test_filtering_by_what_only_hidden_articles_carry_finds_nothing(client, archive):
    for query in ({"actor": "nauru"}, {"territory": "rockall"}, {"source": "pacific-wire"}):
        response = client.get("/articles/", query)
        assertContains(
            response, '<h2 id="results-title" class="result-count" aria-live="polite">0 articles</h2>', html=True
        )
        assert facet_items(response, "actor") == []


def test_entity_indexes_count_only_published_articles(client, archive):
    for path, counts in [
        ("/actors/", {"japan": 2, "nauru": 0}),
        ("/territories/", {"kurils": 2, "rockall": 0}),
        ("/sources/", {"japan-times": 2, "pacific-wire": 0}),
    ]:
        results = client.get(path, {"format": "json"}).json()["results"]
        assert {entity["slug"]: entity["article_count"] for entity in results} == counts
        rows = {
            next(li.find_all("a")).attrs["href"]: next(li.find_all("span", cls="count")).text()
            for li in parse_page(client.get(path)).find_all("li")
            if li.parent.attrs.get("class") == "entity-list"
        }
        assert rows == {f"{path}{slug}/": _articles(count) for slug, count in counts.items()}


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/actors/japan/", 2),
        ("/actors/nauru/", 0),
        ("/territories/kurils/", 2),
        ("/territories/rockall/", 0),
        ("/sources/japan-times/", 2),
        ("/sources/pacific-wire/", 0),
    ],
)
def test_entity_pages_list_and_count_only_published_articles(client, archive, path, count):
    response = client.get(path)
    assertContains(response, f'<h2 id="entity-articles-title">{_articles(count)}</h2>', html=True)
    assert len(listed_titles(response)) == count
    body = client.get(path, {"format": "json"}).json()
    assert body["count"] == count
    assert len(body["results"]) == count


def test_related_articles_are_only_published_ones(client, archive):
    response = client.get("/articles/talks-resume/")
    assertContains(
        response,
        '<p class="related"><a href="/articles/talks-stall/">Talks stall</a><br>'
        '<span class="meta">The Japan Times · December 2016</span></p>',
        html=True,
    )
    assert response.content.decode().count('class="related"') == 1


def test_the_json_article_list_counts_only_published_articles(client, archive):
    body = client.get("/articles/", {"format": "json"}).json()
    assert body["count"] == 2
    assert [a["slug"] for a in body["results"]] == ["talks-resume", "talks-stall"]


def test_the_sitemap_lists_only_published_articles(client, archive):
    content = client.get("/sitemap-articles.xml").content.decode()
    assert content.count("/articles/") == 2


def test_publishing_a_draft_makes_it_appear(client, archive):
    # The other side of every test above: the hidden article is hidden by its status alone.
    Article.objects.filter(slug="quokkagate-draft").update(status=Article.Status.PUBLISHED)
    assert client.get("/articles/quokkagate-draft/").status_code == 200
    assert client.get("/articles/", {"format": "json"}).json()["count"] == 3


def test_withdrawing_an_article_drops_it_from_every_count_at_once(client, archive):
    # Every page first, so that the archive's numbers are counted and cached
    # (archive.stats); the withdrawal must not leave a cached number counting it.
    for path in PUBLIC_PAGES:
        client.get(path)
    article = Article.objects.get(slug="talks-stall")
    article.status = Article.Status.WITHDRAWN
    article.save()

    assertContains(
        client.get("/"),
        '<p class="lede">1 article from 1 source, about 1 actor and 1 territory'
        " — every place under each name its claimants use.</p>",
        html=True,
    )
    response = client.get("/articles/")
    assert listed_titles(response) == ["Talks resume"]
    for facet, label in [("source", "The Japan Times"), ("actor", "Japan"), ("territory", "Kuril Islands")]:
        assert [item[:2] for item in facet_items(response, facet)] == [(label, 1)]
    assert [item[:2] for item in facet_items(response, "year")] == [("2016", 1)]
    assert client.get("/articles/", {"format": "json"}).json()["count"] == 1
    for path, slug in [("/actors/", "japan"), ("/territories/", "kurils"), ("/sources/", "japan-times")]:
        results = client.get(path, {"format": "json"}).json()["results"]
        assert {entity["slug"]: entity["article_count"] for entity in results}[slug] == 1
        assertContains(client.get(f"{path}{slug}/"), '<h2 id="entity-articles-title">1 article</h2>', html=True)
