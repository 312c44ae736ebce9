"""`format=json`: every list as JSON on the same address, with the same filters and pages.

The shape is a public contract: the key sets are checked exactly, so that adding or
dropping a field is a decision, not an accident.
"""

import datetime

import pytest

from archive.models import Actor, Source, Territory
from tests.conftest import make_actor, make_article, make_source, make_territory

LIST_KEYS = {"count", "count_estimated", "next", "previous", "results"}
ARTICLE_KEYS = {
    "slug",
    "title",
    "url",
    "source",
    "published_on",
    "date_precision",
    "byline",
    "actors",
    "territories",
}
REF_KEYS = {"slug", "name"}
ENTITY_KEYS = {"slug", "name", "kind", "url", "article_count"}


@pytest.fixture
def archive(db):
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    abe = make_actor(name="Shinzo Abe", slug="shinzo-abe", kind=Actor.Kind.PERSON, state=japan)
    disputed = make_territory(
        name="Northern Territories",
        slug="northern-territories",
        kind=Territory.Kind.DISPUTED,
        names=[
            {"name": "Northern Territories", "used_by": japan, "preferred": True},
            {"name": "Southern Kurils", "used_by": russia, "preferred": True},
        ],
    )
    make_territory(name="Okinotorishima", slug="okinotorishima")
    japan_times = make_source(name="The Japan Times", slug="japan-times")
    make_source(name="TASS", slug="tass", kind=Source.Kind.AGENCY)
    make_article(
        title="Abe and Putin meet in Nagato",
        slug="nagato",
        source=japan_times,
        published_on=datetime.date(2016, 12, 15),
        byline="Reiji Yoshida",
        actors=[abe, russia],
        territories=[disputed],
    )
    make_article(
        title="Joint economic activity",
        slug="joint",
        published_on=datetime.date(2016, 12, 1),
        date_precision="month",
        actors=[japan],
    )
    make_article(title="Undated", slug="undated")


def _json(client, path, query=None, status=200):
    response = client.get(path, {**(query or {}), "format": "json"})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_article_list_json_has_exactly_the_documented_shape(client, archive):
    body = _json(client, "/articles/")
    assert set(body) == LIST_KEYS
    assert body["count"] == 3
    assert body["next"] is None and body["previous"] is None
    for article in body["results"]:
        assert set(article) == ARTICLE_KEYS
        assert article["source"] is None or set(article["source"]) == REF_KEYS
        for ref in article["actors"] + article["territories"]:
            assert set(ref) == REF_KEYS


def test_article_list_json_gives_each_articles_fields(client, archive):
    first = _json(client, "/articles/")["results"][0]
    assert first == {
        "slug": "nagato",
        "title": "Abe and Putin meet in Nagato",
        "url": "http://testserver/articles/nagato/",
        "source": {"slug": "japan-times", "name": "The Japan Times"},
        "published_on": "2016-12-15",
        "date_precision": "day",
        "byline": "Reiji Yoshida",
        "actors": [{"slug": "russia", "name": "Russia"}, {"slug": "shinzo-abe", "name": "Shinzo Abe"}],
        "territories": [{"slug": "northern-territories", "name": "Northern Territories / Southern Kurils"}],
    }


def test_article_json_dates_are_only_as_precise_as_known(client, archive):
    results = _json(client, "/articles/")["results"]
    assert [(a["slug"], a["published_on"], a["date_precision"]) for a in results] == [
        ("nagato", "2016-12-15", "day"),
        ("joint", "2016-12", "month"),
        ("undated", None, "unknown"),
    ]
    assert results[2]["source"] is None


def test_article_list_json_takes_the_same_filters_as_the_page(client, archive):
    for query, slugs in [
        ({"actor": "japan"}, ["joint"]),
        ({"actor": ["shinzo-abe", "russia"]}, ["nagato"]),
        ({"territory": "northern-territories"}, ["nagato"]),
        ({"source": "japan-times"}, ["nagato"]),
        ({"from": "2016-12", "to": "2016-12-14"}, ["joint"]),
        ({"sort": "oldest"}, ["joint", "nagato", "undated"]),
    ]:
        body = _json(client, "/articles/", query)
        assert [a["slug"] for a in body["results"]] == slugs, query
        assert body["count"] == len(slugs)


@pytest.fixture
def many(db):
    korea = make_actor(name="South Korea", slug="south-korea")
    for n in range(30):
        make_article(slug=f"report-{n:02d}", published_on=datetime.date(2010, 1, 1 + n), actors=[korea])
    make_article(slug="elsewhere", published_on=datetime.date(2020, 1, 1))


def test_next_and_previous_links_keep_the_filters(client, many):
    first = _json(client, "/articles/", {"actor": "south-korea", "sort": "oldest"})
    assert first["count"] == 30
    assert len(first["results"]) == 25
    assert first["previous"] is None
    assert first["next"] == "http://testserver/articles/?actor=south-korea&sort=oldest&format=json&page=2"

    response = client.get(first["next"])
    second = response.json()
    assert [a["slug"] for a in second["results"]] == [f"report-{n:02d}" for n in range(25, 30)]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/articles/?actor=south-korea&sort=oldest&format=json&page=1"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"actor": "nobody"}, "actor"),
        ({"source": "nobody"}, "source"),
        ({"territory": "nowhere"}, "territory"),
        ({"from": "2015-13-45"}, "from"),
        ({"from": "2017", "to": "2016"}, "to"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_invalid_filters_are_a_400_with_the_errors(client, archive, query, field):
    body = _json(client, "/articles/", query, status=400)
    assert set(body) == {"errors"}
    assert set(body["errors"]) == {field}
    assert body["errors"][field][0]["message"]


def test_actor_index_json_lists_every_actor_with_its_article_count(client, archive):
    body = _json(client, "/actors/")
    assert set(body) == LIST_KEYS
    assert body["count"] == 3
    assert body["results"] == [
        {
            "slug": "japan",
            "name": "Japan",
            "kind": "state",
            "url": "http://testserver/actors/japan/",
            "article_count": 1,
        },
        {
            "slug": "russia",
            "name": "Russia",
            "kind": "state",
            "url": "http://testserver/actors/russia/",
            "article_count": 1,
        },
        {
            "slug": "shinzo-abe",
            "name": "Shinzo Abe",
            "kind": "person",
            "url": "http://testserver/actors/shinzo-abe/",
            "article_count": 1,
        },
    ]


def test_actor_index_json_narrows_by_kind(client, archive):
    body = _json(client, "/actors/", {"kind": "person"})
    assert [a["slug"] for a in body["results"]] == ["shinzo-abe"]


def test_territory_index_json_names_each_territory_by_its_label(client, archive):
    body = _json(client, "/territories/")
    assert [set(t) for t in body["results"]] == [ENTITY_KEYS, ENTITY_KEYS]
    assert [(t["name"], t["kind"], t["article_count"]) for t in body["results"]] == [
        ("Northern Territories / Southern Kurils", "disputed", 1),
        ("Okinotorishima", "island", 0),
    ]


def test_source_index_json_lists_every_source(client, archive):
    body = _json(client, "/sources/")
    assert [(s["slug"], s["kind"], s["article_count"]) for s in body["results"]] == [
        ("tass", "agency", 0),
        ("japan-times", "newspaper", 1),
    ]


@pytest.mark.parametrize("path", ["/actors/", "/territories/", "/sources/"])
def test_an_invalid_kind_on_an_index_is_a_400_with_the_error(client, archive, path):
    body = _json(client, path, {"kind": "planet"}, status=400)
    assert set(body) == {"errors"}
    assert set(body["errors"]) == {"kind"}


@pytest.mark.parametrize(
    ("path", "slugs"),
    [
        ("/actors/japan/", ["joint"]),
        ("/actors/shinzo-abe/", ["nagato"]),
        ("/territories/northern-territories/", ["nagato"]),
        ("/territories/okinotorishima/", []),
        ("/sources/japan-times/", ["nagato"]),
    ],
)
def test_entity_page_json_lists_its_articles(client, archive, path, slugs):
    body = _json(client, path)
    assert set(body) == LIST_KEYS
    assert body["count"] == len(slugs)
    assert [a["slug"] for a in body["results"]] == slugs
    assert all(set(a) == ARTICLE_KEYS for a in body["results"])


def test_entity_page_json_pages_like_the_article_list(client, many):
    body = _json(client, "/actors/south-korea/")
    assert body["count"] == 30
    assert body["next"] == "http://testserver/actors/south-korea/?format=json&page=2"
    assert len(client.get(body["next"]).json()["results"]) == 5


@pytest.mark.parametrize(
    "path", ["/articles/", "/actors/", "/territories/", "/sources/", "/actors/japan/", "/sources/japan-times/"]
)
def test_an_unknown_format_is_a_400(client, archive, path):
    response = client.get(path, {"format": "xml"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/articles/", "/actors/japan/"])
def test_format_html_is_the_page_itself(client, archive, path):
    response = client.get(path, {"format": "html"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_json_is_utf8_not_escaped(client, db):
    make_territory(name="北方領土", slug="hoppo-ryodo")
    response = client.get("/territories/", {"format": "json"})
    assert "北方領土".encode() in response.content
