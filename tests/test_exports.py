"""Exports of a whole result: CSV streamed, Atom feeds of any list, and their links."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from archive.models import Article
from tests.conftest import make_actor, make_article

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
    make_article(slug="a", title="Treaty talks", lead="<b>bold</b> lead", published_on="2015-05-16")
    response = client.get("/articles/", {"q": "treaty", "format": "atom"})
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.find(f"{ATOM}title").text == "Chancery: search for “treaty”"
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Treaty talks"
    assert entry.find(f"{ATOM}link").get("href").endswith("/articles/a/")
    assert entry.find(f"{ATOM}summary").text == "<b>bold</b> lead"  # text, escaped in the XML


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
