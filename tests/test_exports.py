"""Exports of a whole result: CSV streamed, Atom feeds of any list, and their links."""

import csv
import datetime
import html
import io
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import exports
from archive.models import Article
from tests.conftest import make_actor, make_article, make_source, make_territory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_exports_every_matching_article_not_just_one_page(client):
    for i in range(30):
        make_article(slug=f"treaty-{i:02d}", title=f"Treaty talks {i}")
    make_article(slug="other", title="Something else")
    response = client.get("/articles/", {"q": "treaty", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 30
    assert {row["slug"] for row in rows} == {f"treaty-{i:02d}" for i in range(30)}


def test_csv_rows_carry_tags_and_dates(client):
    putin = make_actor(name="Vladimir Putin", slug="vladimir-putin", kind="person")
    make_article(slug="a", title="A", actors=[putin], published_on="2016-12-01", date_precision="month")
    (row,) = _csv(client.get("/articles/", {"format": "csv"}))
    assert row["actors"] == "Vladimir Putin"
    assert row["published_on"] == "2016-12"
    assert row["date_precision"] == "month"


def test_csv_rows_carry_every_column_as_the_article_page_shows_it(client):
    russia, japan = make_actor(name="Russia"), make_actor(name="Japan")
    abe = make_actor(name="Abe Shinzo", kind="person")
    kurils = make_territory(
        name="Kuril Islands",
        slug="kurils",
        names=[
            {"name": "Southern Kurils", "language": "en", "used_by": russia, "preferred": True},
            {"name": "Northern Territories", "language": "en", "used_by": japan, "preferred": True},
            {"name": "Northern Territories", "language": "ja", "used_by": japan, "preferred": True},
            {"name": "Chishima", "language": "ja"},
            {"name": "Kuril Islands", "language": "ru", "preferred": True},
        ],
    )
    iturup = make_territory(name="Iturup", slug="iturup")
    tass = make_source(name="TASS", slug="tass")
    make_article(
        slug="talks",
        title="Talks on the islands",
        source=tass,
        byline="Staff",
        dateline="MOSCOW",
        language="ru",
        published_on=datetime.date(2016, 12, 15),
        actors=[russia, abe, japan],
        territories=[kurils, iturup],
    )
    (row,) = _csv(client.get("/articles/", {"format": "csv"}))
    assert row == {
        "slug": "talks",
        "title": "Talks on the islands",
        "url": "http://testserver/articles/talks/",
        "source": "TASS",
        "source_slug": "tass",
        "published_on": "2016-12-15",
        "date_precision": "day",
        "byline": "Staff",
        "dateline": "MOSCOW",
        "language": "ru",
        # Names in order; a disputed territory under the preferred name of each side.
        "actors": "Abe Shinzo; Japan; Russia",
        "territories": "Iturup; Kuril Islands / Northern Territories / Southern Kurils",
    }
    assert row["territories"].split("; ")[1] == kurils.label


def test_csv_urls_are_the_articles_own_addresses_in_any_script(client):
    for slug in ("plain-ascii", "переговоры-в-токио", "東京会談"):
        make_article(slug=slug)
    rows = _csv(client.get("/articles/", {"format": "csv"}, HTTP_HOST="localhost"))
    assert {row["url"] for row in rows} == {
        "http://localhost" + Article.objects.get(slug=slug).get_absolute_url()
        for slug in ("plain-ascii", "переговоры-в-токио", "東京会談")
    }


def test_csv_rows_without_source_date_or_tags_are_blank_there(client):
    make_article(slug="bare", title="Bare")
    (row,) = _csv(client.get("/articles/", {"format": "csv"}))
    assert (row["source"], row["source_slug"], row["published_on"], row["actors"], row["territories"]) == (
        ("", "", "", "", "")
    )
    assert row["date_precision"] == "unknown"


def test_a_long_export_keeps_order_and_tags_across_chunks_in_queries_per_chunk(client, monkeypatch):
    monkeypatch.setattr(exports, "_CHUNK", 4)
    actors = [make_actor(name=f"Actor {i}") for i in range(3)]
    islands = make_territory(name="Islands", names=[{"name": "Isles", "language": "en", "preferred": True}])
    for i in range(10):
        make_article(
            slug=f"a-{i}", published_on=datetime.date(2020, 1, i + 1), actors=actors[: i % 3 + 1], territories=[islands]
        )
    with CaptureQueriesContext(connection) as captured:
        rows = _csv(client.get("/articles/", {"format": "csv"}))
    assert [row["slug"] for row in rows] == [f"a-{i}" for i in reversed(range(10))]
    for row in rows:
        i = int(row["slug"][2:])
        assert row["actors"] == "; ".join(f"Actor {n}" for n in range(i % 3 + 1))
        assert row["territories"] == "Islands / Isles"
    # Per chunk of articles: the ids of their actors, of their territories. Once: the
    # names of every actor and territory, and the territories' labels (their preferred
    # names). Whatever the number of rows.
    reads = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))]
    assert len([q for q in reads if "archive_articleactor" in q["sql"]]) == 3
    assert len([q for q in reads if "archive_territoryname" in q["sql"]]) == 1


@pytest.mark.parametrize("drafts_between", [1, 10])
def test_each_row_has_its_own_tags_whether_its_articles_are_close_or_far_apart(client, monkeypatch, drafts_between):
    # Close together, a chunk's tags are read by a range of article ids, which also holds
    # the drafts between them; far apart, by the list of its ids.
    monkeypatch.setattr(exports, "_CHUNK", 3)
    secret = make_actor(name="Secret")
    for i in range(6):
        make_article(slug=f"a-{i}", published_on=datetime.date(2020, 1, i + 1), actors=[make_actor(name=f"Actor {i}")])
        for _ in range(drafts_between):
            make_article(status=Article.Status.DRAFT, actors=[secret], territories=[make_territory()])
    rows = _csv(client.get("/articles/", {"format": "csv"}))
    assert [(row["slug"], row["actors"], row["territories"]) for row in rows] == [
        (f"a-{i}", f"Actor {i}", "") for i in reversed(range(6))
    ]


def test_an_actor_tagged_while_an_export_streams_is_named(client, monkeypatch):
    monkeypatch.setattr(exports, "_CHUNK", 1)
    make_article(slug="first", published_on="2020-01-02")
    second = make_article(slug="second", published_on="2020-01-01")
    chunks = iter(client.get("/articles/", {"format": "csv"}).streaming_content)
    header, first_row = next(chunks), next(chunks)  # the names are read with the first chunk
    second.actors.add(make_actor(name="Newcomer"))
    text = b"".join([header, first_row, *chunks]).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["slug"], row["actors"]) for row in rows] == [("first", ""), ("second", "Newcomer")]


_CELLS = st.none() | st.text(alphabet=st.sampled_from("ab é日 ,;\"'\r\n\t=+-@") | st.characters(), max_size=12)


@hypothesis_settings(max_examples=300, deadline=None)
@given(rows=st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(_CELLS, min_size=n, max_size=n), min_size=1)))
def test_csv_text_is_what_csv_writer_writes_of_the_guarded_cells(rows):
    # Rows of two cells or more, as every export has twelve: csv.writer quotes a row
    # that is one empty cell, which an export never has.
    rows = [row + ["x"] for row in rows]
    expected = io.StringIO()
    csv.writer(expected).writerows([[exports._cell(cell) for cell in row] for row in rows])
    columns = [list(column) for column in zip(*rows)]
    assert exports._csv_lines(zip(*map(exports._csv_fields, columns))) == expected.getvalue()


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client):
    make_article(slug="formula", title='=HYPERLINK("http://x","click")', byline="+1 attacker")
    (row,) = _csv(client.get("/articles/", {"format": "csv"}))
    assert row["title"].startswith("'=")
    assert row["byline"] == "'+1 attacker"


def test_csv_and_atom_leave_out_drafts_and_withdrawn_articles(client):
    make_article(slug="public", title="Canary public")
    make_article(slug="draft", title="Canary draft", status=Article.Status.DRAFT)
    make_article(slug="withdrawn", title="Canary withdrawn", status=Article.Status.WITHDRAWN)
    assert [row["slug"] for row in _csv(client.get("/articles/", {"q": "canary", "format": "csv"}))] == ["public"]
    feed = client.get("/articles/", {"q": "canary", "format": "atom"}).content.decode()
    assert "Canary public" in feed and "draft" not in feed.lower() and "withdrawn" not in feed.lower()


def test_an_atom_feed_for_a_search(client):
    make_article(
        slug="a",
        title="Treaty talks",
        lead="<b>bold</b> lead <img src=x onerror=\"alert('x')\"> R&amp;D",
        published_on="2015-05-16",
    )
    response = client.get("/articles/", {"q": "treaty", "format": "atom"})
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.find(f"{ATOM}title").text == "Chancery: search for “treaty”"
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Treaty talks"
    assert entry.find(f"{ATOM}link").get("href").endswith("/articles/a/")
    # The summary is HTML to a feed reader (type="html"): the lead is escaped in it, so that
    # the reader shows the text as written, with no element or entity of the article's.
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == (
        "&lt;b&gt;bold&lt;/b&gt; lead &lt;img src=x onerror=&quot;alert(&#x27;x&#x27;)&quot;&gt; R&amp;amp;D"
    )
    assert html.unescape(summary.text) == "<b>bold</b> lead <img src=x onerror=\"alert('x')\"> R&amp;D"


def test_an_atom_feed_carries_text_with_characters_xml_cannot(client):
    # Pasted or imported text can hold control characters, and so can a query: the feed
    # shows spaces there, and stays well-formed XML.
    putin = make_actor(name="Vladimir\x0bPutin", slug="vladimir-putin", kind="person")
    make_article(slug="a", title="Treaty\x01talks\ufffe", lead="Lead\x0cline", byline="Kōno\x1fTarō", actors=[putin])
    for path, query in [("/articles/", {"q": "treaty\x02"}), ("/actors/vladimir-putin/", {})]:
        response = client.get(path, {**query, "format": "atom"})
        assert response.status_code == 200
        (entry,) = ET.fromstring(response.content).findall(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text == "Treaty talks "
        assert entry.find(f"{ATOM}summary").text == "Lead line"
        assert entry.find(f"{ATOM}author/{ATOM}name").text == "Kōno Tarō"
        assert entry.find(f"{ATOM}category").get("term") == "Vladimir Putin"
    root = ET.fromstring(client.get("/articles/", {"q": "treaty\x02", "format": "atom"}).content)
    assert root.find(f"{ATOM}title").text == "Chancery: search for “treaty ”"


def test_an_atom_feed_for_an_entity_page(client):
    putin = make_actor(name="Vladimir Putin", slug="vladimir-putin", kind="person")
    make_article(slug="a", title="About Putin", actors=[putin])
    make_article(slug="b", title="Not about him")
    root = ET.fromstring(client.get("/actors/vladimir-putin/", {"format": "atom"}).content)
    assert root.find(f"{ATOM}title").text == "Chancery: Vladimir Putin"
    assert [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")] == ["About Putin"]


@pytest.mark.parametrize("path", ["/articles/?q=treaty", "/articles/?actor=vladimir-putin", "/actors/vladimir-putin/"])
def test_list_pages_link_their_feed(client, path):
    make_actor(name="Vladimir Putin", slug="vladimir-putin", kind="person")
    make_article(slug="a", title="Treaty")
    page = client.get(path).content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert "format=atom" in page


def test_exports_of_invalid_filters_are_a_400_with_the_errors(client):
    for fmt in ("csv", "atom", "json"):
        response = client.get("/articles/", {"from": "2015-13-45", "format": fmt})
        assert response.status_code == 400
        assert "from" in response.json()["errors"]


def test_json_search_results_add_snippet_and_matched_names(client):
    make_article(slug="a", title="Treaty talks")
    (row,) = client.get("/articles/", {"q": "treaty", "format": "json"}).json()["results"]
    assert row["snippet"] is not None and "matched_names" in row
    (plain,) = client.get("/articles/", {"format": "json"}).json()["results"]
    assert "snippet" not in plain
