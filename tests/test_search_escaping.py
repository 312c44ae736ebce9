"""Article text is hostile input: snippets and highlights must come out inert."""

import pytest

from archive.search.highlight import highlight, highlight_parts, snippet
from archive.search.query import parse
from archive.templatetags.listing import _aliases
from tests.conftest import make_actor, make_article, make_source, make_territory

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror=alert(1)> <script>alert("x")</script> treaty & "quotes"'


@pytest.fixture
def hostile(db):
    return make_article(
        slug="hostile", title=f"Treaty {HOSTILE}", lead=f"Treaty talks {HOSTILE}", body=HOSTILE, byline=HOSTILE
    )


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
    assert '<p class="byline">By &lt;img src=x <mark>onerror</mark>=alert(1)&gt;' in page


def test_a_hostile_query_is_not_reflected_as_markup(client, hostile):
    page = client.get("/articles/", {"q": '<script>alert(1)</script> "><img src=x>'}).content.decode()
    assert "<script>alert(1)" not in page and '"><img src=x>' not in page


@pytest.mark.parametrize("func", [highlight, snippet])
def test_highlighting_functions_escape_everything_they_return(func):
    html = func(HOSTILE, parse("alert onerror"))
    _assert_inert(html)
    assert "<mark>alert</mark>" in html and "<mark>onerror</mark>" in html
    assert "&amp;" in html and "&quot;quotes&quot;" in html


def test_each_highlighted_part_is_escaped_and_a_match_across_parts_too():
    # A phrase running from one part into the next: each part's mark is cut at its edge,
    # and nothing of either part goes out unescaped.
    first, second = highlight_parts([HOSTILE, HOSTILE], parse('"quotes img"'))
    for html in (first, second):
        assert "<img" not in html and "<script" not in html and "&lt;/script&gt;" in html
    # The mark runs to the first part's end and from the second's start, as in one text.
    assert first.endswith("<mark>quotes&quot;</mark>") and second.startswith("<mark>&lt;img</mark> src=x ")


def test_an_unmatched_snippet_is_escaped_too():
    _assert_inert(snippet(HOSTILE, parse("nothing")))


# --- The list's cards and facets (archive.templatetags.listing) ---------------------------


@pytest.fixture
def hostile_names(db):
    """An article whose every shown field, and its source's and tags' names, is hostile."""
    return make_article(
        slug="hostile-names",
        title=f"Names {HOSTILE}",
        lead=f"Names {HOSTILE}",
        byline=HOSTILE,
        source=make_source(name=f"Source {HOSTILE}", slug="hostile-source"),
        actors=[make_actor(name=f"Actor {HOSTILE}", slug="hostile-actor")],
        territories=[
            make_territory(
                name=f"Place {HOSTILE}", slug="hostile-place", names=[{"name": f"Other {HOSTILE}", "preferred": True}]
            )
        ],
    )


@pytest.mark.parametrize("params", [{}, {"q": "names"}, {"q": "names", "actor": "hostile-actor"}])
def test_cards_and_facets_show_hostile_names_inert(client, hostile_names, params):
    page = client.get("/articles/", params).content.decode()
    assert "<img src=x" not in page and "<script>alert" not in page
    card = page[page.index('<article class="card">') : page.index("</article>")]
    for shown in ("Source", "Actor", "Place", "Other"):
        assert f"{shown} &lt;img src=x onerror=alert(1)&gt; &lt;script&gt;" in card
    # The title, the lead or snippet, the byline, the source, the actor and both names.
    assert card.count("&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(&quot;x&quot;)") >= 7
    assert "treaty &amp; &quot;quotes&quot;" in card  # the byline, quotes and all
    facets = page[page.index('<section class="facet"') :]
    for shown in ("Source", "Actor", "Place"):
        assert f"{shown} &lt;img src=x onerror=alert(1)&gt;" in facets


def test_the_names_a_search_matched_by_are_escaped():
    html = _aliases([{"query": "<b>typed</b>", "matched": [HOSTILE, "plain"], "via": "tag"}])
    _assert_inert(html)
    assert "&lt;b&gt;typed&lt;/b&gt; → tagged &lt;img" in html and "&quot;quotes&quot;, plain" in html
