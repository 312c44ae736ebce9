"""Full-text search on the seed archive: the query language, stemming, folding, names.

The expected results are written once and checked on whichever database the suite runs
on, so a run on SQLite and a run on PostgreSQL prove the two engines agree.
"""

import datetime

import pytest
from django.db import connection

from archive.search import backends
from archive.search.backends import backend_for
from archive.search.highlight import highlight, snippet
from archive.search.query import parse
from archive.search.text import terms
from tests.conftest import make_actor, make_article

pytestmark = pytest.mark.django_db

ABE_OBAMA = "abe-tells-obama-he-intends-to-continue-dialogue-with-russia"
ABE_TRUMP = "japans-abe-has-one-thing-in-common-with-trump"
PM_TRUMP = "japanese-pm-trump-approves-japans-outreach-to-russia"
ELECTION = "trumps-election-may-ease-japans-talks-with-russia"
ECONOMIC = "russia-looking-for-stronger-economic-relations-with-japan"
ALL = {ABE_OBAMA, ABE_TRUMP, PM_TRUMP, ELECTION, ECONOMIC}


def found(client, q, **params):
    response = client.get("/articles/", {"q": q, "format": "json", **params})
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


@pytest.fixture(autouse=True)
def _seeds(seed_archive):
    from archive.models import Article

    assert set(Article.objects.values_list("slug", flat=True)) == ALL


# One table for both databases: query, exact=1?, the articles it must find.
QUERIES = [
    # words: all must match
    ("golf", False, {ABE_TRUMP}),
    ("peace treaty", False, {ABE_OBAMA, ELECTION, ABE_TRUMP}),
    ("golf Yalta", False, set()),
    # phrases
    ('"peace treaty"', False, {ABE_OBAMA, ELECTION}),
    ('"treaty peace"', False, set()),
    # typographic quotes are quotes: as phones, word processors and other languages type them
    ("“peace treaty”", False, {ABE_OBAMA, ELECTION}),
    ("„peace treaty“", False, {ABE_OBAMA, ELECTION}),
    ("«treaty peace»", False, set()),
    ("「treaty peace」", False, set()),
    ("treaty -“peace treaty”", False, {ABE_TRUMP}),
    ("“treaty peace", False, set()),  # unbalanced, as '"'
    ("don’t", False, {ABE_TRUMP}),  # a single one is an apostrophe
    ('"joint economic activities"', False, {ELECTION, ECONOMIC}),
    # OR
    ("golf OR Yalta", False, {ABE_TRUMP, ELECTION}),
    ("golf OR nonexistentword", False, {ABE_TRUMP}),
    # exclusion
    ("sanctions", True, {ABE_OBAMA, ELECTION}),
    ("sanctions -Poroshenko", True, {ELECTION}),
    ('treaty -"peace treaty"', False, {ABE_TRUMP}),
    # prefix
    ("Yalt*", False, {ELECTION}),
    ("negotiat*", False, {ELECTION, ECONOMIC}),
    # stemming: negotiations ⇄ negotiating, islands ⇄ island
    ("negotiating", False, {ELECTION, ECONOMIC}),
    ("negotiations", False, {ELECTION, ECONOMIC}),
    ("isles", False, {ELECTION}),
    # case, accents and width fold away
    ("YALTA", False, {ELECTION}),
    ("Yaltá", False, {ELECTION}),
    ("Ｙａｌｔａ", False, {ELECTION}),
    # punctuation separates words, on both sides
    ("U.S.-Japan", False, {ABE_TRUMP}),
    ("don't", False, {ABE_TRUMP}),
    ("Trans-Pacific-Partnership", False, {PM_TRUMP}),
    # names: another name of a territory finds the one the text uses, or the tag
    ("Diaoyu", False, {ABE_TRUMP, ABE_OBAMA}),
    ("Diaoyu", True, {ABE_TRUMP}),
    ("Iturup", False, {ELECTION, ECONOMIC}),
    ("Iturup", True, set()),
    ("Southern Kurils", False, ALL),
    ('"Southern Kurils"', True, {ABE_TRUMP}),  # "southern Kurile Islands": one stem
    ("Khabomai", False, {ELECTION}),
    ("Владимир Путин", False, ALL),
    ("Владимир Путин", True, set()),
    # a name is one alternative of an OR, or an exclusion, with all its names and its tag
    ("golf OR Diaoyu", False, {ABE_TRUMP, ABE_OBAMA}),
    ("golf OR Diaoyu", True, {ABE_TRUMP}),
    ("Russia -Diaoyu", False, {PM_TRUMP, ELECTION, ECONOMIC}),
    ("Russia -Diaoyu", True, {ABE_OBAMA, PM_TRUMP, ELECTION, ECONOMIC}),
    ("Russia -Крым", False, {ABE_TRUMP, PM_TRUMP, ECONOMIC}),
    ("Russia -Крым", True, ALL),
    ('Russia -"Southern Kurils"', False, set()),  # every seed article is tagged with them
    ("Russia -Diao*", False, {ABE_OBAMA, PM_TRUMP, ELECTION, ECONOMIC}),  # a prefix is no name
    # a name is known by its words' stems, as text is
    ("Southern Kuril", False, ALL),
]


@pytest.mark.parametrize(("q", "exact", "expected"), QUERIES)
def test_the_same_query_finds_the_same_articles_on_every_database(client, q, exact, expected):
    assert found(client, q, **({"exact": "1"} if exact else {})) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", {ABE_TRUMP}), ("on", {ABE_TRUMP}), ("true", {ABE_TRUMP}), ("0", {ABE_TRUMP, ABE_OBAMA}),
     ("off", {ABE_TRUMP, ABE_OBAMA}), ("no", {ABE_TRUMP, ABE_OBAMA}), ("false", {ABE_TRUMP, ABE_OBAMA}),
     ("", {ABE_TRUMP, ABE_OBAMA})],
)  # fmt: skip
def test_this_name_only_is_off_when_the_address_says_so(client, value, expected):
    assert found(client, "Diaoyu", exact=value) == expected
    page = client.get(f"/articles/{ABE_OBAMA}/", {"q": "Diaoyu", "exact": value}).content.decode()
    assert ("<mark>" in page) == (ABE_OBAMA in expected)


@pytest.mark.parametrize(
    "q",
    ['"', '""', "OR", "OR OR", "-", "- -", "*", '"unbalanced', "((", "NOT", "AND", "the of", "a\x00b", "‽", "x" * 999],
)
def test_odd_input_gives_a_result_not_an_error(client, q):
    response = client.get("/articles/", {"q": q})
    assert response.status_code == 200


def test_a_query_that_is_too_long_is_a_form_error_with_no_results(client):
    response = client.get("/articles/", {"q": "putin " * 2000})
    assert response.status_code == 200
    assert "at most 1000 characters" in response.content.decode()
    assert len(response.context["object_list"]) == 0


def test_a_query_with_too_many_terms_is_a_form_error(client):
    response = client.get("/articles/", {"q": " ".join(f"w{i}" for i in range(40))})
    assert "at most 32 words" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("a*", "Put at least 3 letters before * (“a*”)."),
        ("treaty th*", "(“th*”)"),
        ("Kurils -ru*", "(“ru*”)"),
        ("U.S*", "(“u s*”)"),
        ("neg* tre* pea* sum* min*", "Put * after at most 4 words."),
    ],
)
def test_a_prefix_too_short_or_too_many_prefixes_are_a_form_error(client, q, message):
    response = client.get("/articles/", {"q": q})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0
    data = client.get("/articles/", {"q": q, "format": "json"})
    assert data.status_code == 400
    assert message in data.json()["errors"]["q"][0]["message"]
    for export in ("csv", "atom"):
        assert client.get("/articles/", {"q": q, "format": export}).status_code == 400


def test_three_letters_and_four_prefixes_are_searched():
    assert [t.stems for g in parse("neg* tre* pea* sum*").groups for t in g.terms] == [
        ("neg",),
        ("tre",),
        ("pea",),
        ("sum",),
    ]
    assert not parse('"a*"').groups[0].terms[0].prefix  # in quotes, a star is punctuation


PREFIX_QUERIES = [
    "jap*",
    "negotiat*",
    "tre* pea*",
    "sanction* OR golf",
    "U.Sta*",
    "russia -pore*",
    'abe tre* -"peace treaty" -sanction*',
    "Кур*",
    "zzq*",
]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite expands prefixes into words; GIN does not need to")
@pytest.mark.parametrize("q", PREFIX_QUERIES)
def test_a_prefix_expanded_into_its_words_finds_what_fts5s_own_prefix_finds(client, monkeypatch, q):
    backend = backend_for()
    expanded = []
    completions = backend.completions
    monkeypatch.setattr(backend, "completions", lambda prefix: expanded.append(prefix) or completions(prefix))
    as_words = found(client, q)
    monkeypatch.setattr(backend, "completions", lambda prefix: None)  # left to FTS5
    assert as_words == found(client, q)
    assert expanded  # the words were asked for
    # Where more words than PREFIX_WORDS start with it, the prefix is left to FTS5.
    monkeypatch.setattr(backends, "PREFIX_WORDS", 1)
    monkeypatch.setattr(backend, "completions", completions)
    assert found(client, q) == as_words


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite expands prefixes into words; GIN does not need to")
def test_a_prefix_is_expanded_into_the_indexed_words_that_start_with_it():
    from archive.models import Article

    completions = backend_for().completions("tr")
    assert {"track", "trade", "treati", "trump"} <= set(completions)
    assert all(word.startswith("tr") for word in completions)
    assert backend_for().completions("zzq") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM archive_article_fts_words WHERE word GLOB '_*'")
        assert cursor.fetchall() == []  # no period tokens
    # Every word of every article is listed (a prefix of each finds it); words of articles
    # since deleted may be too (tests that commit leave theirs behind).
    words = set()
    for article in Article.objects.all():
        for text in (article.title, article.lead, article.body, article.byline):
            words.update(terms(text))
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM archive_article_fts_words")
        assert {word for (word,) in cursor.fetchall()} >= words


def test_a_query_of_only_exclusions_finds_nothing_and_says_why(client):
    response = client.get("/articles/", {"q": "-Putin"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert "Nothing to search for" in response.content.decode()


def test_results_say_which_other_name_matched(client):
    response = client.get("/articles/", {"q": "Diaoyu", "format": "json"})
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert rows[ABE_OBAMA]["matched_names"] == [{"query": "Diaoyu", "matched": ["Senkaku Islands"], "via": "text"}]
    assert rows[ABE_TRUMP]["matched_names"] == []  # it says Diaoyu itself
    page = client.get("/articles/", {"q": "Diaoyu"}).content.decode()
    assert "Diaoyu → Senkaku Islands" in page


def test_a_name_among_alternatives_says_which_other_name_matched(client):
    rows = client.get("/articles/", {"q": "golf OR diaoyu", "format": "json"}).json()["results"]
    by_slug = {row["slug"]: row["matched_names"] for row in rows}
    assert by_slug[ABE_OBAMA] == [{"query": "Diaoyu", "matched": ["Senkaku Islands"], "via": "text"}]
    assert by_slug[ABE_TRUMP] == []


@pytest.mark.parametrize("q", ["Diaoyu OR Senkaku", '"Senkaku Islands" OR Diaoyu', "Senkaku OR Diaoyu Islands"])
def test_an_article_using_a_name_typed_among_alternatives_needs_no_explaining(client, q):
    rows = client.get("/articles/", {"q": q, "format": "json"}).json()["results"]
    assert {row["slug"] for row in rows} == {ABE_OBAMA, ABE_TRUMP}
    assert [row["matched_names"] for row in rows] == [[], []]


def test_alternatives_naming_the_same_thing_explain_a_match_once(client):
    rows = client.get("/articles/", {"q": "America OR USA", "format": "json"}).json()["results"]
    by_slug = {row["slug"]: row["matched_names"] for row in rows}
    assert by_slug[ECONOMIC] == [{"query": "America", "matched": ["U.S.", "United States"], "via": "text"}]
    rows = client.get("/articles/", {"q": '"Southern Kurils" OR "Northern Territories"', "format": "json"}).json()
    by_slug = {row["slug"]: row["matched_names"] for row in rows["results"]}
    assert by_slug[PM_TRUMP] == [
        {"query": "Southern Kurils", "matched": ["Northern Territories / Southern Kurils"], "via": "tag"}
    ]


def test_a_name_is_reported_as_typed_when_it_is_one_of_the_names(client):
    rows = client.get("/articles/", {"q": "southern Kurile Islands", "format": "json"}).json()["results"]
    assert {match["query"] for row in rows for match in row["matched_names"]} == {"southern Kurile Islands"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Southern Kurils", {PM_TRUMP, ABE_TRUMP, ECONOMIC}),  # two of them by their tag alone
        ("golf OR Diaoyu", {ABE_TRUMP}),
        ("Russia -Diaoyu", {PM_TRUMP, ECONOMIC}),
        ("Russia -Крым", {PM_TRUMP, ABE_TRUMP, ECONOMIC}),
    ],
)
def test_names_in_a_window_match_its_days_only_as_they_match_the_archive(q, expected):
    from archive.models import Article
    from archive.search.aliases import expand
    from archive.search.plan import Window

    # The days from 2017 on, as the newest window of a common query would hold them.
    window = Window(("_y2017", "_y2018"), datetime.date(2017, 1, 1), None, articles=3)
    query = expand(parse(q))
    in_window = set(Article.objects.published().search(query, window=window).values_list("slug", flat=True))
    everywhere = Article.objects.published().search(query).filter(published_on__gte=datetime.date(2017, 1, 1))
    assert in_window == set(everywhere.values_list("slug", flat=True)) == expected
    sql = str(Article.objects.published().search(query, window=window).query)
    assert ("OFFSET 0" in sql) == (connection.vendor == "postgresql")  # each article's tags, not all of theirs


def test_a_name_beside_plain_words_is_asked_of_each_of_their_matches():
    from archive.models import Article
    from archive.search.aliases import expand

    def slugs(q):
        return set(Article.objects.published().search(expand(parse(q))).values_list("slug", flat=True))

    make_article(slug="other-talks", body="The talks were about trade.")
    matches = Article.objects.published().search(expand(parse("talks Southern Kurils")))
    assert set(matches.values_list("slug", flat=True)) == slugs("talks") - {"other-talks"}
    assert slugs("golf Southern Kurils") == slugs("golf") & slugs("Southern Kurils") == {ABE_TRUMP}
    if connection.vendor == "postgresql":
        # The article's own vector, joined once: not every article with the name in its text.
        assert str(matches.query).count('FROM "archive_searchdocument"') == 0, str(matches.query)


def test_an_article_found_only_by_its_tag_says_so(client):
    rows = client.get("/articles/", {"q": "Southern Kurils", "format": "json"}).json()["results"]
    by_slug = {row["slug"]: row["matched_names"] for row in rows}
    assert by_slug[PM_TRUMP] == [
        {"query": "Southern Kurils", "matched": ["Northern Territories / Southern Kurils"], "via": "tag"}
    ]


def _article_page(client, slug, q):
    return client.get(f"/articles/{slug}/", {"q": q}).content.decode()


def test_an_article_page_says_when_its_tag_matched_and_nothing_is_marked(client):
    page = _article_page(client, PM_TRUMP, "Southern Kurils")
    assert "<mark>" not in page
    assert "by its tag <em>Northern Territories / Southern Kurils</em>" in page
    assert "are highlighted" not in page


def test_an_article_page_names_the_tag_that_matched_beside_the_words_it_marks(client):
    page = _article_page(client, PM_TRUMP, "Trump Southern Kurils")
    assert "<mark>Trump</mark>" in page
    assert (
        "are highlighted; it also found this article by its tag <em>Northern Territories / Southern Kurils</em>" in page
    )
    # A name the text uses is marked, and needs no note.
    assert "by its tag" not in _article_page(client, ABE_TRUMP, "Trump Southern Kurils")


def test_an_article_page_says_when_nothing_in_it_matches(client):
    page = _article_page(client, ECONOMIC, "golf")
    assert "Nothing in this article’s text matches your search." in page
    assert "are highlighted" not in page
    assert "are highlighted" in _article_page(client, ABE_TRUMP, "golf")


def test_an_article_page_marks_a_phrase_running_from_one_paragraph_into_the_next(client):
    make_article(
        slug="two-paragraphs", lead="Talks resumed.", body="They ended in deadlock\n\nKremlin officials said little."
    )
    assert "two-paragraphs" in found(client, '"deadlock Kremlin"')
    page = _article_page(client, "two-paragraphs", '"deadlock Kremlin"')
    assert "in <mark>deadlock</mark></p>" in page and "<p><mark>Kremlin</mark> officials" in page
    assert "are highlighted" in page


def test_an_article_page_marks_the_byline_too(client):
    page = _article_page(client, ECONOMIC, "Hanada")
    assert "By Yoshio <mark>Hanada</mark>, Yomiuri Shimbun Correspondent" in page
    assert "are highlighted" in page


def test_snippets_mark_the_matched_words(client):
    rows = client.get("/articles/", {"q": "golf", "format": "json"}).json()["results"]
    assert "<mark>golf</mark>" in rows[0]["snippet"]


@pytest.mark.parametrize(
    ("text", "q", "marked"),
    [
        ("Talks in the U.S. and D.C. today.", "U.S.", "Talks in the <mark>U.S.</mark> and D.C. today."),
        ("U.S.-Japan ties", '"U.S. Japan"', "<mark>U.S.-Japan</mark> ties"),
        ("met the U.S.", "u.s", "met the <mark>U.S.</mark>"),  # a sentence's last dot too: no harm
        ("ends in c. Then", "c", "ends in <mark>c</mark>. Then"),  # a word, not initials
        ("Mr. Abe", "Mr", "<mark>Mr</mark>. Abe"),
        ("Talks with the U.S. went on", '"the U.S."', "Talks with <mark>the U.S.</mark> went on"),
        ("In Washington D.C. today", '"Washington D.C."', "In <mark>Washington D.C.</mark> today"),
        ("The abc.d. list", '"abc d"', "The <mark>abc.d</mark>. list"),
    ],
)
def test_initials_are_marked_with_their_last_dot(text, q, marked):
    assert highlight(text, parse(q)) == marked
    assert snippet(text, parse(q)) == marked


@pytest.mark.parametrize("windowed", [False, True])
def test_a_name_ranks_its_articles_by_their_text_and_those_tagged_alone_last(windowed):
    from archive.models import Article
    from archive.search.aliases import expand
    from archive.search.plan import Window

    envoy = make_actor(name="Quillon Marsh", slug="quillon-marsh")
    day = datetime.date(2030, 5, 5)
    make_article(slug="in-title", title="Quillon Marsh arrives", actors=[envoy], published_on=day)
    make_article(slug="in-body", body="Talks went on. Quillon Marsh spoke last.", published_on=day)
    make_article(slug="tag-only", actors=[envoy], published_on=day)
    make_article(slug="elsewhere", title="Quillon Marsh earlier", published_on=datetime.date(2001, 1, 1))
    window = Window(("_y2030",), datetime.date(2030, 1, 1), None, articles=3) if windowed else None
    ranked = Article.objects.published().search(expand(parse("Quillon Marsh")), window=window).by_relevance()
    slugs = list(ranked.values_list("slug", flat=True))
    assert ("elsewhere" in slugs) == (not windowed)
    assert [slug for slug in slugs if slug != "elsewhere"] == ["in-title", "in-body", "tag-only"]
    if connection.vendor == "sqlite":
        # Scored in one MATCH, kept, then looked up by id: not one MATCH per article.
        sql, params = ranked.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[-1] for row in cursor.fetchall()]
        assert "MATERIALIZE scores" in plan, plan


def test_a_names_ranking_is_the_same_on_an_sqlite_without_materialized_tables(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own")
    from archive.models import Article
    from archive.search.aliases import expand

    def ranked():
        matches = Article.objects.published().search(expand(parse("Southern Kurils"))).by_relevance()
        return list(matches.values_list("slug", "rank")), str(matches.query)

    rows, sql = ranked()
    monkeypatch.setattr(connection.Database, "sqlite_version_info", (3, 34, 1))
    old_rows, old_sql = ranked()
    assert "MATERIALIZED" in sql and "MATERIALIZED" not in old_sql
    assert old_rows == rows and len(rows) == 5 and rows[0][1] > 0 == rows[-1][1]


def test_relevance_puts_title_matches_first(client):
    rows = client.get("/articles/", {"q": "economic", "format": "json"}).json()["results"]
    assert rows[0]["slug"] == ECONOMIC


def test_sorting_a_search_by_date(client):
    newest = client.get("/articles/", {"q": "Putin", "sort": "newest", "format": "json"}).json()["results"]
    oldest = client.get("/articles/", {"q": "Putin", "sort": "oldest", "format": "json"}).json()["results"]
    assert newest[0]["slug"] == ECONOMIC
    assert oldest[0]["slug"] == ABE_OBAMA


def test_search_combines_with_filters_and_facets(client):
    response = client.get("/articles/", {"q": "Putin", "source": "the-yomiuri-shimbun"})
    assert [a.slug for a in response.context["object_list"]] == [ABE_OBAMA]
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert [(item.label, item.count) for item in facets["source"].items] == [("The Yomiuri Shimbun", 1)]


def test_excluding_a_facet_value(client):
    slugs = found(client, "Putin", actor_not="donald-trump")
    assert slugs == {ABE_OBAMA, ECONOMIC}


def test_the_article_page_highlights_the_search(client):
    response = client.get(f"/articles/{ABE_TRUMP}/", {"q": "golf"})
    assert "<mark>golf</mark>" in response.content.decode()
    plain = client.get(f"/articles/{ABE_TRUMP}/").content.decode()
    assert "<mark>" not in plain


def test_search_results_link_to_highlighted_articles(client):
    page = client.get("/articles/", {"q": "golf"}).content.decode()
    assert f"/articles/{ABE_TRUMP}/?q=golf" in page


def test_the_help_page_explains_the_syntax(client):
    response = client.get("/search/help/")
    assert response.status_code == 200
    for example in ['"peace treaty"', "sanctions OR embargo", "Putin -Ukraine", "negotiat*", "exact=1"]:
        assert example.replace('"', "&quot;") in response.content.decode() or example in response.content.decode()


def test_the_search_box_links_to_the_help(client):
    for path in ("/", "/articles/"):
        assert "/search/help/" in client.get(path).content.decode()


def test_drafts_and_withdrawn_articles_never_appear_in_search(client):
    from archive.models import Article

    Article.objects.filter(slug=ABE_TRUMP).update(status=Article.Status.DRAFT)
    Article.objects.filter(slug=PM_TRUMP).update(status=Article.Status.WITHDRAWN)
    for q in ("Trump", "golf", "Diaoyu", "Southern Kurils"):
        assert found(client, q) & {ABE_TRUMP, PM_TRUMP} == set()
    page = client.get("/articles/", {"q": "golf OR Trump"})
    html = page.content.decode()
    assert ABE_TRUMP not in html and PM_TRUMP not in html
    assert "one thing in common" not in html and "Outreach" not in html
    facets = {facet.name: facet for facet in page.context["facets"]}
    total = sum(item.count for item in facets["year"].items)
    assert total == page.context["page_obj"].paginator.count == 1  # only the December 2016 article is public
