"""A canary draft never leaks: crawl the whole public site as a reader or a robot would,
and the one word that only unpublished articles carry is found nowhere.

A draft and a withdrawn article carry the word in every text field and are tagged with the
same source, actors and territories as the published ones (and with some of their own);
the crawl starts from "/" and follows every same-site link in HTML (`<a>` and `<link>`),
every address in JSON, CSV, Atom and the sitemap, and adds the searches a curious reader
would try. `test_drafts` checks the counts; this checks that nothing was forgotten.

Search pages repeat what was searched for, so the hidden articles spell the word in a mixed
case ("ZyzzoGeton") that no search types: that form must appear in no response at all, and
the word in any case in no response to an address that does not itself contain it.
"""

import datetime
import html
import re
from collections import deque
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import Resolver404, resolve

from archive import views
from archive.models import Article, Territory
from tests.conftest import make_actor, make_article, make_source, make_territory, parse_page

CANARY = "zyzzogeton"
CANARY_AS_WRITTEN = "ZyzzoGeton"
HIDDEN_SLUGS = ["hidden-draft", "hidden-withdrawn"]
MAX_URLS = 400
_SITE_URL = re.compile(r"https?://testserver(/[^\s\"'<>,]*)")


@pytest.fixture
def archive(db, monkeypatch):
    # Small pages, so that the crawl meets page links and JSON `next` links too.
    monkeypatch.setattr(views.ArticleListView, "paginate_by", 2)
    monkeypatch.setattr(views.EntityDetailView, "paginate_by", 2)
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    kurils = make_territory(
        name="Kuril Islands",
        slug="kurils",
        kind=Territory.Kind.ISLAND_GROUP,
        names=[{"name": "Northern Territories", "language": "en"}],
    )
    tass = make_source(name="TASS", slug="tass")
    times = make_source(name="The Japan Times", slug="japan-times")
    # Tagged on the hidden articles only.
    lonely_actor = make_actor(name="Nauru", slug="nauru")
    lonely_territory = make_territory(name="Rockall", slug="rockall")
    lonely_source = make_source(name="Pacific Wire", slug="pacific-wire")
    for n, (title, source, actors) in enumerate(
        [
            ("Talks resume on the islands", tass, [japan, russia]),
            ("Fishing rights agreed", times, [japan]),
            ("Moscow answers Tokyo", tass, [russia]),
            ("Visa-free visits extended", times, [japan, russia]),
            ("Summit in Nagato", tass, [japan, russia]),
        ]
    ):
        make_article(
            title=title,
            slug=f"published-{n}",
            source=source,
            published_on=datetime.date(2016, 12, 1 + n),
            byline="Staff reporter",
            actors=actors,
            territories=[kurils],
        )
    for slug, status, source in [
        ("hidden-draft", Article.Status.DRAFT, tass),
        ("hidden-withdrawn", Article.Status.WITHDRAWN, lonely_source),
    ]:
        make_article(
            title=f"ZyzzoGeton: the {status} story",
            slug=slug,
            status=status,
            source=source,
            published_on=datetime.date(2016, 12, 10),
            byline="ZyzzoGeton Reporter",
            dateline="ZyzzoGeton",
            lead="ZyzzoGeton lead.",
            body="ZyzzoGeton body.\n\nMore about ZyzzoGeton.",
            editors_note="ZyzzoGeton note.",
            actors=[japan, russia, lonely_actor],
            territories=[kurils, lonely_territory],
        )


def _text(response):
    if response.streaming:  # the CSV export
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _links(path, response, content):
    """The same-site addresses a response points to."""
    if not response["Content-Type"].startswith("text/html"):
        return [html.unescape(link).rstrip("?") for link in _SITE_URL.findall(content)]
    page = parse_page(response)
    hrefs = [a.attrs.get("href") for tag in ("a", "link") for a in page.find_all(tag)]
    found = []
    for href in filter(None, hrefs):
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        if not parts.path:  # "?page=2": the same page with other parameters
            found.append(f"{urlsplit(path).path}?{parts.query}")
        elif parts.path.startswith("/"):
            found.append(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    return found


def _page_type(path):
    """What kind of page an address is: the URL's name, with its format if not HTML."""
    parts = urlsplit(path)
    try:
        name = resolve(parts.path).url_name
    except Resolver404:
        return None
    fmt = re.search(r"(?:^|&)format=(\w+)", parts.query)
    return f"{name}:{fmt.group(1)}" if fmt else name


def _searches():
    """What a reader who had heard of the canary, or of its tags, would type."""
    searches = []
    for q in [CANARY, CANARY.upper(), f'"{CANARY} reporter"', f"{CANARY}*", "zyzzo*", "Nauru", "Rockall"]:
        for extra in ({}, {"exact": "1"}):
            for fmt in ({}, {"format": "json"}, {"format": "csv"}, {"format": "atom"}):
                searches.append(f"/articles/?{urlencode({'q': q, **extra, **fmt})}")
    for name in ["Japan", "Russia", "Kuril Islands", "Northern Territories", "TASS", "Pacific Wire"]:
        searches.append(f"/articles/?{urlencode({'q': name})}")
        searches.append(f"/articles/?{urlencode({'q': name, 'exact': '1', 'format': 'json'})}")
    for facet in ["actor=nauru", "territory=rockall", "source=pacific-wire", "actor=japan&territory=kurils"]:
        searches.append(f"/articles/?{facet}")
        searches.append(f"/articles/?{facet}&format=json")
    # Highlighting on a published article with the canary as the search.
    searches.append(f"/articles/published-0/?q={CANARY}")
    return searches


def test_no_response_anywhere_on_the_site_mentions_a_hidden_article(client, archive):
    # The footer tells readers that every list is JSON with format=json; the indexes
    # link no JSON themselves, so the crawl starts there too.
    indexes_as_json = [f"/{name}/?format=json" for name in ("actors", "territories", "sources")]
    queue = deque(["/", "/robots.txt", "/sitemap.xml", *indexes_as_json, *_searches()])
    seen = set(queue)
    visited_types = set()
    visited = 0
    # Breadth first, so that the cap cuts off only the deepest combinations of filters.
    while queue and visited < MAX_URLS:
        path = queue.popleft()
        visited += 1
        response = client.get(path)
        assert response.status_code == 200, path
        content = _text(response)
        assert CANARY_AS_WRITTEN not in content, path
        if CANARY not in path.lower():
            assert CANARY not in content.lower(), path
        for slug in HIDDEN_SLUGS:
            assert slug not in content, path
        visited_types.add(_page_type(path))
        for link in _links(path, response, content):
            if link.startswith(("/static/", "/admin/")) or link in seen:
                continue
            seen.add(link)
            queue.append(link)

    expected = {
        "home",
        "article-list",
        "article-list:json",
        "article-list:csv",
        "article-list:atom",
        "article-detail",
        "actor-list",
        "actor-list:json",
        "actor-detail",
        "actor-detail:json",
        "actor-detail:csv",
        "actor-detail:atom",
        "territory-list",
        "territory-list:json",
        "territory-detail",
        "territory-detail:json",
        "source-list",
        "source-list:json",
        "source-detail",
        "source-detail:json",
        "search-help",
        "robots",
        "sitemap",
        "sitemap-section",
    }
    assert expected <= visited_types, expected - visited_types
    # The crawl did reach the pages of the entities only the hidden articles carry.
    for path in ["/actors/nauru/", "/territories/rockall/", "/sources/pacific-wire/"]:
        assert path in seen
    # And it followed paging: page 2 of the article list, as HTML and as JSON `next`.
    assert any(p.startswith("/articles/?") and "page=2" in p and "format=json" in p for p in seen)
    assert any(p.startswith("/articles/?") and "page=2" in p and "format" not in p for p in seen)


@pytest.mark.parametrize("slug", HIDDEN_SLUGS)
@pytest.mark.parametrize("suffix", ["", f"?q={CANARY}", "?format=json"])
def test_a_hidden_article_address_is_a_404(client, archive, slug, suffix):
    response = client.get(f"/articles/{slug}/{suffix}")
    assert response.status_code == 404
    assert CANARY not in response.content.decode().lower().replace(f"q={CANARY}", "")
    assert CANARY_AS_WRITTEN not in response.content.decode()


def test_the_canary_is_findable_once_published(client, archive):
    # The crawl above is not blind: publish the draft and the same searches find it.
    Article.objects.filter(slug="hidden-draft").update(status=Article.Status.PUBLISHED)
    assert CANARY_AS_WRITTEN in client.get(f"/articles/?q={CANARY}").content.decode()
    assert client.get("/articles/hidden-draft/").status_code == 200
    assert "hidden-draft" in client.get("/sitemap-articles.xml").content.decode()
