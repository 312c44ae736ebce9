"""Article text is hostile input: snippets and highlights must come out inert."""

import pytest

from archive.search.highlight import highlight, snippet
from archive.search.query import parse
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror=alert(1)> <script>alert("x")</script> treaty & "quotes"'


@pytest.fixture
def hostile(db):
    return make_article(slug="hostile", title=f"Treaty {HOSTILE}", lead=f"Treaty talks {HOSTILE}", body=HOSTILE)


def _assert_inert(html):
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x " in html
    assert "&lt;script&gt;" in html and "&lt;/script&gt;" in html


def test_snippets_escape_the_article_text_before_marking_it(client, hostile):
    row = client.get("/articles/", {"q": "treaty", "format": "json"}).json()["results"][0]
    _assert_inert(row["snippet"])
    assert "<mark>" in row["snippet"]


def test_the_results_page_shows_hostile_text_inert(client, hostile):
    page = client.get("/articles/", {"q": "treaty"}).content.decode()
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "<mark>Treaty</mark>" in page


def test_the_highlighted_article_page_shows_hostile_text_inert(client, hostile):
    page = client.get("/articles/hostile/", {"q": "onerror script"}).content.decode()
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "<mark>onerror</mark>" in page


def test_a_hostile_query_is_not_reflected_as_markup(client, hostile):
    page = client.get("/articles/", {"q": '<script>alert(1)</script> "><img src=x>'}).content.decode()
    assert "<script>alert(1)" not in page and '"><img src=x>' not in page


@pytest.mark.parametrize("func", [highlight, snippet])
def test_highlighting_functions_escape_everything_they_return(func):
    html = func(HOSTILE, parse("alert onerror"))
    _assert_inert(html)
    assert "<mark>alert</mark>" in html and "<mark>onerror</mark>" in html
    assert "&amp;" in html and "&quot;quotes&quot;" in html


def test_an_unmatched_snippet_is_escaped_too():
    _assert_inert(snippet(HOSTILE, parse("nothing")))
