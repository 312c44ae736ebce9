"""Every public page renders with what a reader comes for."""

import datetime
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from archive.models import Actor, ActorName, Article, Claim, Source, Territory
from tests.conftest import listed_titles, make_actor, make_article, make_source, make_territory, parse_page


@pytest.fixture
def archive(db):
    """A small archive around the Kuril Islands dispute: four published articles."""
    japan = make_actor(name="Japan", slug="japan")
    russia = make_actor(name="Russia", slug="russia")
    abe = make_actor(
        name="Shinzo Abe", slug="shinzo-abe", kind=Actor.Kind.PERSON, role="Prime Minister of Japan", state=japan
    )
    ActorName.objects.create(actor=abe, name="安倍晋三", language="ja")
    putin = make_actor(name="Vladimir Putin", slug="vladimir-putin", kind=Actor.Kind.PERSON, state=russia)
    make_actor(name="ASEAN", slug="asean", kind=Actor.Kind.INTERNATIONAL)

    kurils = make_territory(name="Kuril Islands", slug="kuril-islands", kind=Territory.Kind.ISLAND_GROUP)
    disputed = make_territory(
        name="Northern Territories",
        slug="northern-territories",
        kind=Territory.Kind.DISPUTED,
        part_of=kurils,
        administered_by=russia,
        names=[
            {"name": "Northern Territories", "language": "en", "used_by": japan, "preferred": True},
            {"name": "Southern Kurils", "language": "en", "used_by": russia, "preferred": True},
            {"name": "北方領土", "language": "ja", "used_by": japan},
            {"name": "South Kuril Islands", "language": "en"},
        ],
    )
    Claim.objects.create(territory=disputed, claimant=japan)
    Claim.objects.create(territory=disputed, claimant=russia)
    iturup = make_territory(
        name="Iturup", slug="iturup", part_of=disputed, names=[{"name": "Etorofu", "language": "ja", "used_by": japan}]
    )

    japan_times = make_source(
        name="The Japan Times",
        slug="the-japan-times",
        country=japan,
        language="en",
        homepage="https://www.japantimes.co.jp/",
    )
    tass = make_source(name="TASS", slug="tass", kind=Source.Kind.AGENCY, country=russia)
    make_source(name="TASS English", slug="tass-english", parent=tass)

    nagato = make_article(
        title="Abe and Putin meet in Nagato",
        slug="abe-and-putin-meet-in-nagato",
        source=japan_times,
        published_on=datetime.date(2016, 12, 15),
        byline="Reiji Yoshida",
        dateline="NAGATO",
        lead="Prime Minister Shinzo Abe welcomed President Vladimir Putin to his home town.",
        body="The two leaders talked about the islands.\n\nNo peace treaty was signed.",
        canonical_url="https://www.japantimes.co.jp/news/2016/12/15/nagato/",
        actors=[abe, putin],
        territories=[disputed],
    )
    joint = make_article(
        title="Joint economic activity on the islands",
        slug="joint-economic-activity",
        source=tass,
        published_on=datetime.date(2016, 12, 1),
        date_precision="month",
        actors=[abe, putin],
        territories=[disputed],
    )
    missiles = make_article(
        title="Russia deploys missiles on Iturup",
        slug="russia-deploys-missiles",
        source=tass,
        published_on=datetime.date(2017, 1, 1),
        date_precision="year",
        actors=[russia],
        territories=[disputed, iturup],
    )
    undated = make_article(title="Tokyo protests", slug="tokyo-protests", actors=[japan])
    return {
        "nagato": nagato,
        "joint": joint,
        "missiles": missiles,
        "undated": undated,
    }


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --- Home ----------------------------------------------------------------------------------


def test_home_lists_the_latest_articles_newest_first(client, archive):
    response = client.get("/")
    assert response.status_code == 200
    assert listed_titles(response) == [
        "Russia deploys missiles on Iturup",
        "Abe and Putin meet in Nagato",
        "Joint economic activity on the islands",
        "Tokyo protests",
    ]


def test_home_shows_how_much_the_archive_covers(client, archive):
    response = client.get("/")
    assertContains(
        response,
        '<p class="lede">4 articles from 2 sources, about 4 actors and 2 territories'
        " — every place under each name its claimants use.</p>",
        html=True,
    )


def test_home_lists_the_most_covered_actors_and_territories(client, archive):
    response = client.get("/")
    assertContains(
        response,
        '<ol class="ranked">'
        '<li><a href="/actors/shinzo-abe/">Shinzo Abe</a> <span class="count">2</span></li>'
        '<li><a href="/actors/vladimir-putin/">Vladimir Putin</a> <span class="count">2</span></li>'
        '<li><a href="/actors/japan/">Japan</a> <span class="count">1</span></li>'
        '<li><a href="/actors/russia/">Russia</a> <span class="count">1</span></li>'
        "</ol>",
        html=True,
    )
    assertContains(
        response,
        '<ol class="ranked">'
        '<li><a href="/territories/northern-territories/">Northern Territories / Southern Kurils</a>'
        ' <span class="count">3</span></li>'
        '<li><a href="/territories/iturup/">Iturup</a> <span class="count">1</span></li>'
        "</ol>",
        html=True,
    )


def test_home_lists_only_the_eight_latest_articles(client, db):
    for day in range(1, 11):
        make_article(title=f"Day {day:02d}", published_on=datetime.date(2016, 1, day))
    response = client.get("/")
    assert listed_titles(response) == [f"Day {day:02d}" for day in range(10, 2, -1)]
    assertContains(response, '<a href="/articles/">All articles →</a>', html=True)


def test_home_of_an_empty_archive_says_so(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assertContains(response, '<p class="empty">No articles have been published yet.</p>', html=True)


# --- Article list --------------------------------------------------------------------------


def test_article_list_shows_every_published_article_newest_first(client, archive):
    response = client.get("/articles/")
    assert response.status_code == 200
    assertContains(
        response, '<h2 id="results-title" class="result-count" aria-live="polite">4 articles</h2>', html=True
    )
    assert listed_titles(response) == [
        "Russia deploys missiles on Iturup",
        "Abe and Putin meet in Nagato",
        "Joint economic activity on the islands",
        "Tokyo protests",
    ]


def test_an_article_card_shows_source_date_byline_and_tags(client, archive):
    response = client.get("/articles/")
    card = next(card for card in parse_page(response).find_all("article", cls="card") if "Nagato" in card.text())
    assert card.text().startswith("Abe and Putin meet in Nagato The Japan Times · 15 December 2016 · Reiji Yoshida")
    links = [(a.text(), a.attrs["href"]) for a in card.find_all("a")]
    assert links == [
        ("Abe and Putin meet in Nagato", "/articles/abe-and-putin-meet-in-nagato/"),
        ("The Japan Times", "/sources/the-japan-times/"),
        ("Shinzo Abe", "/actors/shinzo-abe/"),
        ("Vladimir Putin", "/actors/vladimir-putin/"),
        ("Northern Territories / Southern Kurils", "/territories/northern-territories/"),
    ]


def test_an_article_card_without_a_source_or_date_says_they_are_unknown(client, archive):
    response = client.get("/articles/")
    assertContains(
        response,
        '<p class="meta"><span>Source unknown</span> · <time>Date unknown</time></p>',
        html=True,
    )


# --- Article detail ------------------------------------------------------------------------


def test_article_page_shows_its_text_source_date_byline_and_dateline(client, archive):
    response = client.get("/articles/abe-and-putin-meet-in-nagato/")
    assert response.status_code == 200
    assertTemplateUsed(response, "archive/article_detail.html")
    assertContains(response, '<h1 id="article-title">Abe and Putin meet in Nagato</h1>', html=True)
    assertContains(
        response,
        '<p class="meta"><a href="/sources/the-japan-times/">The Japan Times</a>'
        ' · <time datetime="2016-12-15">15 December 2016</time></p>',
        html=True,
    )
    assertContains(response, '<p class="byline">By Reiji Yoshida</p>', html=True)
    assertContains(
        response,
        '<p class="article__lead"><span class="dateline">NAGATO —</span> Prime Minister Shinzo Abe welcomed'
        " President Vladimir Putin to his home town.</p>",
        html=True,
    )
    assertContains(response, "<p>The two leaders talked about the islands.</p>", html=True)
    assertContains(response, "<p>No peace treaty was signed.</p>", html=True)


@pytest.mark.parametrize(
    ("slug", "time"),
    [
        ("abe-and-putin-meet-in-nagato", '<time datetime="2016-12-15">15 December 2016</time>'),
        ("joint-economic-activity", '<time datetime="2016-12">December 2016</time>'),
        ("russia-deploys-missiles", '<time datetime="2017">2017</time>'),
        ("tokyo-protests", "<time>Date unknown</time>"),
    ],
)
def test_article_page_gives_the_date_exactly_as_precisely_as_it_is_known(client, archive, slug, time):
    response = client.get(f"/articles/{slug}/")
    assertContains(response, time, html=True)


def test_a_month_dated_article_never_claims_a_day(client, archive):
    response = client.get("/articles/joint-economic-activity/")
    assertNotContains(response, "1 December 2016")
    assertNotContains(response, "2016-12-01")


def test_article_page_tags_link_to_their_entity_pages(client, archive):
    response = client.get("/articles/russia-deploys-missiles/")
    assertContains(
        response,
        '<ul class="tags"><li><a class="tag tag--actor" href="/actors/russia/">Russia</a></li></ul>',
        html=True,
    )
    assertContains(
        response,
        '<ul class="tags">'
        '<li><a class="tag tag--territory" href="/territories/iturup/">Iturup</a></li>'
        '<li><a class="tag tag--territory" href="/territories/northern-territories/">'
        "Northern Territories / Southern Kurils</a></li>"
        "</ul>",
        html=True,
    )


def test_article_page_lists_related_articles_most_shared_tags_first(client, archive):
    response = client.get("/articles/abe-and-putin-meet-in-nagato/")
    related = [p.text() for p in parse_page(response).find_all("p", cls="related")]
    # The joint-activity report shares Abe, Putin and the islands; the missiles report the
    # islands only; the Tokyo protest nothing at all.
    assert related == [
        "Joint economic activity on the islands TASS · December 2016",
        "Russia deploys missiles on Iturup TASS · 2017",
    ]


def test_article_page_without_related_articles_says_so(client, db):
    make_article(slug="alone")
    response = client.get("/articles/alone/")
    assertContains(response, '<p class="empty">No related articles yet.</p>', html=True)


def test_article_page_offers_a_citation_and_a_permalink(client, archive):
    response = client.get("/articles/abe-and-putin-meet-in-nagato/")
    permalink = "http://testserver/articles/abe-and-putin-meet-in-nagato/"
    assertContains(
        response,
        '<p class="citation">Reiji Yoshida. “Abe and Putin meet in Nagato.” <cite>The Japan Times</cite>,'
        " 15 December 2016. https://www.japantimes.co.jp/news/2016/12/15/nagato/."
        f" Chancery archive, {permalink}.</p>",
        html=True,
    )
    assertContains(
        response,
        f'<p>Permalink: <a href="{permalink}">{permalink}</a> · '
        '<a href="https://www.japantimes.co.jp/news/2016/12/15/nagato/" rel="noopener nofollow">Original</a></p>',
        html=True,
    )
    assertContains(response, f'<link rel="canonical" href="{permalink}">', html=True)


def test_article_text_is_shown_as_text_never_as_markup(client, db):
    make_article(
        slug="markup",
        title="<script>alert('title')</script> & more",
        lead="<img src=x onerror=alert(1)>",
        body="<b>bold</b> claims",
    )
    response = client.get("/articles/markup/")
    assertContains(
        response,
        '<h1 id="article-title">&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; &amp; more</h1>',
        html=True,
    )
    assertNotContains(response, "<script>alert(")
    assertNotContains(response, "<img src=x")
    assertNotContains(response, "<b>bold</b>")
    assertNotContains(client.get("/articles/"), "<img src=x")


def test_article_paragraphs_keep_their_line_breaks(client, db):
    make_article(slug="poem", lead="", body="First line\nsecond line\n\nNext paragraph")
    response = client.get("/articles/poem/")
    assertContains(response, "<p>First line<br>second line</p>", html=True)
    assertContains(response, "<p>Next paragraph</p>", html=True)


def test_article_page_shows_the_editors_note_and_print_page(client, db):
    make_article(
        slug="corrected",
        editors_note="An earlier version misnamed the island.",
        print_page="2",
        published_on=datetime.date(2015, 5, 16),
    )
    response = client.get("/articles/corrected/")
    assertContains(response, "<p>An earlier version misnamed the island.</p>", html=True)
    assertContains(response, "· page 2")


def test_an_unknown_article_is_a_404(client, archive):
    assert client.get("/articles/no-such-article/").status_code == 404


# --- Entity indexes ------------------------------------------------------------------------


def _index_rows(response):
    entity_list = next(parse_page(response).find_all("ul", cls="entity-list"))
    return [li.text() for li in entity_list.find_all("li")]


def test_actor_index_lists_every_actor_with_its_article_count(client, archive):
    response = client.get("/actors/")
    assert response.status_code == 200
    assertContains(response, '<p class="result-count">5 actors</p>', html=True)
    assert _index_rows(response) == [
        "ASEAN International organisation 0 articles",
        "Japan State 1 article",
        "Russia State 1 article",
        "Shinzo Abe Person 2 articles",
        "Vladimir Putin Person 2 articles",
    ]
    assertContains(response, '<a href="/actors/shinzo-abe/">Shinzo Abe</a>', html=True)


def test_actor_index_narrows_by_kind(client, archive):
    response = client.get("/actors/", {"kind": "person"})
    assertContains(response, '<p class="result-count">2 actors</p>', html=True)
    assert _index_rows(response) == ["Shinzo Abe Person 2 articles", "Vladimir Putin Person 2 articles"]


def test_territory_index_lists_every_territory_under_its_label(client, archive):
    response = client.get("/territories/")
    assertContains(response, "<h1>Territories</h1>", html=True)
    assert _index_rows(response) == [
        "Iturup Island 1 article",
        "Kuril Islands Island group 0 articles",
        "Northern Territories / Southern Kurils Disputed area 3 articles",
    ]


def test_source_index_lists_every_source_with_its_article_count(client, archive):
    response = client.get("/sources/")
    assert _index_rows(response) == [
        "TASS Wire service / news agency 2 articles",
        "TASS English Newspaper 0 articles",
        "The Japan Times Newspaper 1 article",
    ]


def test_an_index_with_nothing_of_a_kind_says_none_yet(client, archive):
    response = client.get("/sources/", {"kind": "think_tank"})
    assertContains(response, '<li class="empty">None yet.</li>', html=True)


# --- Entity pages --------------------------------------------------------------------------


def test_actor_page_shows_who_they_are_and_their_articles(client, archive):
    response = client.get("/actors/shinzo-abe/")
    assert response.status_code == 200
    assertContains(response, "<h1>Shinzo Abe</h1>", html=True)
    assertContains(
        response,
        '<p class="lede">Prime Minister of Japan · acts for <a href="/actors/japan/">Japan</a></p>',
        html=True,
    )
    assertContains(response, '<li><span lang="ja">安倍晋三</span> <span class="meta">(ja)</span></li>', html=True)
    assertContains(response, '<h2 id="entity-articles-title">2 articles</h2>', html=True)
    assertContains(response, '<a href="/articles/?actor=shinzo-abe">Filter and refine these articles →</a>', html=True)
    assert listed_titles(response) == ["Abe and Putin meet in Nagato", "Joint economic activity on the islands"]


def test_territory_page_shows_every_name_and_who_uses_it(client, archive):
    response = client.get("/territories/northern-territories/")
    assert response.status_code == 200
    assertContains(response, "<h1>Northern Territories / Southern Kurils</h1>", html=True)
    rows = [
        [cell.text() for cell in row.find_all("td")]
        for row in next(parse_page(response).find_all("table", cls="names-table")).find_all("tr")
        if row.parent.tag == "tbody"
    ]
    assert rows == [
        ["Northern Territories official", "en", "Japan"],
        ["Southern Kurils official", "en", "Russia"],
        ["South Kuril Islands", "en", "—"],
        ["北方領土", "ja", "Japan"],
    ]
    assertContains(
        response,
        '<td><span lang="en">Southern Kurils</span> <span class="badge">official</span></td>'
        '<td>en</td><td><a href="/actors/russia/">Russia</a></td>',
        html=True,
    )


def test_territory_page_shows_its_claimants_administrator_whole_and_parts(client, archive):
    response = client.get("/territories/northern-territories/")
    assertContains(
        response,
        '<dt>Claimed by</dt><dd><a href="/actors/japan/">Japan</a>, <a href="/actors/russia/">Russia</a></dd>',
        html=True,
    )
    assertContains(response, '<dt>Administered by</dt><dd><a href="/actors/russia/">Russia</a></dd>', html=True)
    assertContains(
        response, '<dt>Part of</dt><dd><a href="/territories/kuril-islands/">Kuril Islands</a></dd>', html=True
    )
    assertContains(response, '<dt>Includes</dt><dd><a href="/territories/iturup/">Iturup</a></dd>', html=True)


def test_territory_page_lists_its_articles_newest_first(client, archive):
    response = client.get("/territories/northern-territories/")
    assertContains(response, '<h2 id="entity-articles-title">3 articles</h2>', html=True)
    assert listed_titles(response) == [
        "Russia deploys missiles on Iturup",
        "Abe and Putin meet in Nagato",
        "Joint economic activity on the islands",
    ]


def test_a_part_of_a_disputed_territory_links_to_it_under_its_label(client, archive):
    response = client.get("/territories/iturup/")
    assertContains(
        response,
        '<dt>Part of</dt><dd><a href="/territories/northern-territories/">'
        "Northern Territories / Southern Kurils</a></dd>",
        html=True,
    )


def test_source_page_shows_its_country_language_parts_and_articles(client, archive):
    response = client.get("/sources/tass/")
    assertContains(response, "<h1>TASS</h1>", html=True)
    assertContains(response, '<p class="kicker">Wire service / news agency</p>', html=True)
    assertContains(response, '<dt>Country</dt><dd><a href="/actors/russia/">Russia</a></dd>', html=True)
    assertContains(response, '<dt>Includes</dt><dd><a href="/sources/tass-english/">TASS English</a></dd>', html=True)
    assert listed_titles(response) == ["Russia deploys missiles on Iturup", "Joint economic activity on the islands"]

    child = client.get("/sources/tass-english/")
    assertContains(child, '<dt>Part of</dt><dd><a href="/sources/tass/">TASS</a></dd>', html=True)
    assertContains(child, '<p class="empty">No published articles yet.</p>', html=True)


def test_source_page_links_to_the_outlets_website(client, archive):
    response = client.get("/sources/the-japan-times/")
    assertContains(response, "<dt>Language</dt><dd>en</dd>", html=True)
    assertContains(
        response,
        '<dt>Website</dt><dd><a href="https://www.japantimes.co.jp/" rel="noopener nofollow">'
        "https://www.japantimes.co.jp/</a></dd>",
        html=True,
    )


@pytest.mark.parametrize("path", ["/actors/nobody/", "/territories/nowhere/", "/sources/nothing/"])
def test_an_unknown_entity_is_a_404(client, archive, path):
    assert client.get(path).status_code == 404


# --- robots.txt, sitemap, errors -----------------------------------------------------------


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def _locations(response):
    return [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{SITEMAP_NS}loc")]


PUBLIC_ADDRESSES = [
    "/",
    "/articles/",
    "/articles/a-report/",
    "/actors/",
    "/actors/japan/",
    "/territories/",
    "/sources/",
    "/search/help/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/robots.txt",
    "/healthz",
]


@pytest.mark.parametrize("path", PUBLIC_ADDRESSES)
def test_public_pages_are_read_only_and_say_so(db, path):
    make_article(title="A report", slug="a-report", actors=[make_actor(name="Japan", slug="japan")])
    # As a browser or a script meets them: with the CSRF check on, which would otherwise
    # answer first, with a 403 about a cookie.
    client = Client(enforce_csrf_checks=True)
    assert client.head(path).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert f"not {method.upper()}" in next(parse_page(response).find_all("main")).text()
    response = client.options(path)
    assert (response.status_code, response["Allow"], response.content) == (200, "GET, HEAD, OPTIONS", b"")


def test_the_editors_pages_still_check_forms_for_forgery(db):
    assert Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"}).status_code == 403


def test_sitemap_lists_every_published_article_and_entity_page(client, archive):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = _locations(index)
    assert sections == [
        f"http://testserver/sitemap-{name}.xml" for name in ("articles", "sources", "actors", "territories")
    ]
    locations = set()
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        assert response.status_code == 200
        locations.update(_locations(response))
    expected = {f"http://testserver{a.get_absolute_url()}" for a in archive.values()}
    for model in (Actor, Territory, Source):
        expected |= {f"http://testserver{e.get_absolute_url()}" for e in model.objects.all()}
    assert locations == expected


def _sitemap_pages(client, section):
    return [
        loc.removeprefix("http://testserver")
        for loc in _locations(client.get("/sitemap.xml"))
        if f"/sitemap-{section}.xml" in loc
    ]


def test_the_sitemap_index_links_a_page_for_each_range_of_ids_that_holds_an_article(client, db, monkeypatch):
    from archive.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [make_article(title=f"Talks {i}") for i in range(5)]
    ranges = sorted({a.pk // 2 for a in articles})  # 3, whichever ids the database gave
    pages = _sitemap_pages(client, "articles")
    assert pages == ["/sitemap-articles.xml"] + [f"/sitemap-articles.xml?p={p}" for p in range(2, len(ranges) + 1)]
    for page, first in zip(pages, ranges):
        assert _locations(client.get(page)) == [
            f"http://testserver{a.get_absolute_url()}" for a in articles if a.pk // 2 == first
        ]
    for bad in (f"?p={len(ranges) + 1}", "?p=0", "?p=-1", "?p=abc", "?p=1.5", "?p=%00", "?p=1%00", "?p=" + "9" * 30):
        assert client.get(f"/sitemap-articles.xml{bad}").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-%00.xml").status_code == 404


def test_a_range_of_ids_without_a_published_article_gets_no_page(client, db, monkeypatch):
    from archive.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    articles = [make_article(title=f"Talks {i}") for i in range(12)]
    # Every article of the second range of ids withdrawn or made a draft, some of another's.
    hidden = {a.pk for a in articles if a.pk // 3 == articles[0].pk // 3 + 1} | {articles[-1].pk}
    for article in articles:
        if article.pk in hidden:
            article.status = "draft" if article.pk % 2 else "withdrawn"
            article.save()
    pages = _sitemap_pages(client, "articles")
    listed = [_locations(client.get(page)) for page in pages]
    assert all(1 <= len(page) <= 3 for page in listed)  # no empty page, none over the limit
    assert len(pages) == len({a.pk // 3 for a in articles if a.pk not in hidden})
    assert [loc for page in listed for loc in page] == [
        f"http://testserver{a.get_absolute_url()}" for a in articles if a.pk not in hidden
    ]


def test_an_empty_archive_has_one_empty_page_of_articles(client, db):
    make_article(status="draft")
    assert _sitemap_pages(client, "articles") == ["/sitemap-articles.xml"]
    response = client.get("/sitemap-articles.xml")
    assert response.status_code == 200
    assert _locations(response) == []
    assert client.get("/sitemap-articles.xml?p=2").status_code == 404


def test_sitemap_pages_state_each_address_with_its_last_change(client, db):
    article = make_article(title="Северные территории", slug="северные-территории")
    Article.objects.filter(pk=article.pk).update(updated_at=datetime.datetime(2016, 5, 9, 23, 59, tzinfo=datetime.UTC))
    make_actor(name="Japan", slug="japan")
    response = client.get("/sitemap-articles.xml")
    assert response["Content-Type"] == "application/xml"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    root = ElementTree.fromstring(response.content)
    (url,) = root.iter(f"{SITEMAP_NS}url")
    assert [(child.tag.removeprefix(SITEMAP_NS), child.text) for child in url] == [
        ("loc", f"http://testserver/articles/{quote('северные-территории')}/"),
        ("lastmod", "2016-05-09"),
        ("changefreq", "monthly"),
        ("priority", "0.8"),
    ]
    assert url.find(f"{SITEMAP_NS}loc").text == f"http://testserver{article.get_absolute_url()}"
    (url,) = ElementTree.fromstring(client.get("/sitemap-actors.xml").content).iter(f"{SITEMAP_NS}url")
    assert [(child.tag.removeprefix(SITEMAP_NS), child.text) for child in url] == [
        ("loc", "http://testserver/actors/japan/"),
        ("changefreq", "weekly"),
        ("priority", "0.5"),
    ]


def test_an_unknown_address_gets_the_sites_own_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assertContains(response, "<h1>Not found</h1>", html=True, status_code=404)
    assertContains(
        response, '<a class="brand" href="/" aria-label="Chancery, home">Chancery</a>', html=True, status_code=404
    )


def test_a_bad_request_gets_the_sites_own_400_page(client, db):
    response = client.get("/articles/", {"format": "xml"})
    assertTemplateUsed(response, "400.html")
    assertContains(response, "<h1>Bad request</h1>", html=True, status_code=400)
    assertContains(response, "Chancery", status_code=400)
