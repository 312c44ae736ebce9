"""The seed archive fixture: five articles as an editor left them, and the actors and
territories they are about.

Editors and every other feature's tests rely on `loaddata seed_archive` giving a clean,
truthful archive: no page clutter, no invented metadata, no rewritten sentences.
"""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError

from archive.models import (
    Actor,
    ActorName,
    Article,
    ArticleActor,
    ArticleTerritory,
    Claim,
    Source,
    Territory,
    TerritoryName,
)

# `seed_archive` (tests/conftest.py) runs `loaddata seed_archive` into the empty test database.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_archive")]

# The raw web text the articles were edited from, exactly as it came off the web.
SEEDS_DIR = Path(__file__).parent / "data" / "seeds"

ARTICLE_SEEDS = {
    "japanese-pm-trump-approves-japans-outreach-to-russia": "000",
    "japans-abe-has-one-thing-in-common-with-trump": "001",
    "abe-tells-obama-he-intends-to-continue-dialogue-with-russia": "002",
    "trumps-election-may-ease-japans-talks-with-russia": "003",
    "russia-looking-for-stronger-economic-relations-with-japan": "004",
}

CLUTTER = [
    "Popular Video",
    "Sign in",
    "Photo Credit",
    "Skip to main content",
    "print PRINT",
    "inkl",
    "subscribing",
    "Read more from",
]


# What the fixture holds. Derived rows (the search index) are not part of it.
FIXTURE_MODELS = [
    Source,
    Actor,
    ActorName,
    Territory,
    Claim,
    TerritoryName,
    Article,
    ArticleActor,
    ArticleTerritory,
]


def _archive_counts():
    return {model.__name__: model.objects.count() for model in FIXTURE_MODELS}


def _article_text(article):
    return "\n".join([article.title, article.lead, article.body])


def _squash(text):
    """Whitespace folded to single spaces, non-breaking spaces and line breaks included."""
    return " ".join(text.split())


def _seed_text(number):
    (path,) = SEEDS_DIR.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def test_the_seed_archive_loads_into_an_empty_database():
    assert _archive_counts() == {
        "Source": 2,
        "Actor": 19,
        "ActorName": 30,
        "Territory": 11,
        "Claim": 15,
        "TerritoryName": 45,
        "Article": 5,
        "ArticleActor": 51,
        "ArticleTerritory": 19,
    }


def test_all_five_seed_articles_are_published():
    assert set(Article.objects.published().values_list("slug", flat=True)) == set(ARTICLE_SEEDS)


def test_loading_the_seed_archive_twice_duplicates_nothing():
    before = _archive_counts()
    call_command("loaddata", "seed_archive", verbosity=0)
    assert _archive_counts() == before


def test_every_content_hash_matches_the_article_text():
    for article in Article.objects.all():
        assert article.content_hash == article.compute_content_hash(), article.slug


@pytest.mark.parametrize(
    "slug, published_on, precision, shown",
    [
        ("japanese-pm-trump-approves-japans-outreach-to-russia", datetime.date(2017, 1, 1), "year", "2017"),
        ("japans-abe-has-one-thing-in-common-with-trump", datetime.date(2017, 1, 1), "year", "2017"),
        (
            "abe-tells-obama-he-intends-to-continue-dialogue-with-russia",
            datetime.date(2015, 5, 16),
            "day",
            "16 May 2015",
        ),
        ("trumps-election-may-ease-japans-talks-with-russia", datetime.date(2016, 12, 1), "month", "December 2016"),
        ("russia-looking-for-stronger-economic-relations-with-japan", datetime.date(2018, 3, 1), "month", "March 2018"),
    ],
)
def test_each_article_is_dated_no_more_precisely_than_its_text_allows(slug, published_on, precision, shown):
    article = Article.objects.get(slug=slug)
    assert (article.published_on, article.date_precision, article.date_display) == (published_on, precision, shown)


@pytest.mark.parametrize(
    "slug, source, byline, dateline, print_page",
    [
        ("japanese-pm-trump-approves-japans-outreach-to-russia", None, "", "", ""),
        ("japans-abe-has-one-thing-in-common-with-trump", None, "", "", ""),
        ("abe-tells-obama-he-intends-to-continue-dialogue-with-russia", "the-yomiuri-shimbun", "", "", "2"),
        ("trumps-election-may-ease-japans-talks-with-russia", None, "", "", ""),
        (
            "russia-looking-for-stronger-economic-relations-with-japan",
            "the-japan-news",
            "Yoshio Hanada, Yomiuri Shimbun Correspondent",
            "MOSCOW",
            "",
        ),
    ],
)
def test_each_article_names_only_the_source_and_byline_its_text_gives(slug, source, byline, dateline, print_page):
    article = Article.objects.select_related("source").get(slug=slug)
    assert (article.source.slug if article.source else None) == source
    assert (article.byline, article.dateline, article.print_page) == (byline, dateline, print_page)
    assert (article.language, article.canonical_url) == ("en", "")
    assert article.editors_note


def test_the_japan_news_belongs_to_the_yomiuri_shimbun():
    japan_news = Source.objects.get(slug="the-japan-news")
    assert japan_news.parent.slug == "the-yomiuri-shimbun"
    assert (japan_news.language, japan_news.country.slug) == ("en", "japan")


def test_the_headless_article_says_its_title_was_supplied_by_the_editors():
    article = Article.objects.get(slug="trumps-election-may-ease-japans-talks-with-russia")
    assert article.title == "Trump’s election may ease Japan’s talks with Russia over the disputed islands"
    assert "title was supplied by the editors" in article.editors_note


@pytest.mark.parametrize("clutter", CLUTTER)
def test_no_article_text_contains_page_clutter(clutter):
    for article in Article.objects.all():
        assert clutter.casefold() not in _article_text(article).casefold(), article.slug


def test_no_paragraph_keeps_stray_spacing():
    for article in Article.objects.all():
        for paragraph in [article.lead, *article.paragraphs]:
            assert paragraph == paragraph.strip() and "\u00a0" not in paragraph, article.slug
            assert "\n" not in paragraph, article.slug


def test_the_dateline_is_not_repeated_in_the_opening_paragraph():
    article = Article.objects.get(slug="russia-looking-for-stronger-economic-relations-with-japan")
    assert article.lead.startswith("Russian President Vladimir Putin intends")


def test_the_sentence_split_by_a_stray_line_break_is_joined():
    article = Article.objects.get(slug="abe-tells-obama-he-intends-to-continue-dialogue-with-russia")
    assert "by Chinese and Russian aircraft is increasing." in article.body
    assert "is increasing." not in article.paragraphs


def test_the_subheading_stays_a_paragraph_of_its_own():
    article = Article.objects.get(slug="russia-looking-for-stronger-economic-relations-with-japan")
    assert "Japan hopes for further island talks" in article.paragraphs
    assert "The Yomiuri Shimbun" not in article.paragraphs


@pytest.mark.parametrize("slug, number", ARTICLE_SEEDS.items())
def test_every_paragraph_appears_verbatim_in_its_seed(slug, number):
    seed = _squash(_seed_text(number))
    article = Article.objects.get(slug=slug)
    for paragraph in [article.lead, *article.paragraphs]:
        assert _squash(paragraph) in seed, paragraph
    # The one title the editors supplied is the headless article's; the others are verbatim.
    if number != "003":
        assert _squash(article.title) in seed


@pytest.mark.parametrize(
    "name",
    [
        "Northern Territories",
        "Southern Kurils",
        "Kuril Islands",
        "Etorofu",
        "Iturup",
        "Kunashiri",
        "Kunashir",
        "Shikotan",
        "Habomai",
        "Khabomai",
        "Senkaku",
        "Diaoyu",
        "Crimea",
    ],
)
def test_every_name_of_a_territory_finds_it(name):
    assert TerritoryName.objects.filter(name=name).exists() or Territory.objects.filter(name=name).exists()


@pytest.mark.parametrize(
    "slug, name, kind",
    [
        ("shinzo-abe", "Shinzo Abe", "person"),
        ("vladimir-putin", "Vladimir Putin", "person"),
        ("donald-trump", "Donald Trump", "person"),
        ("barack-obama", "Barack Obama", "person"),
        ("fumio-kishida", "Fumio Kishida", "person"),
        ("sergey-lavrov", "Sergey Lavrov", "person"),
        ("jim-mattis", "Jim Mattis", "person"),
        ("petro-poroshenko", "Petro Poroshenko", "person"),
        ("frank-jannuzi", "Frank Jannuzi", "person"),
        ("eugene-rumer", "Eugene Rumer", "person"),
        ("james-brown", "James Brown", "person"),
        ("japan", "Japan", "state"),
        ("russia", "Russia", "state"),
        ("united-states", "United States", "state"),
        ("china", "China", "state"),
        ("taiwan", "Taiwan", "state"),
        ("north-korea", "North Korea", "state"),
        ("ukraine", "Ukraine", "state"),
        ("g7", "G7", "international"),
    ],
)
def test_every_listed_actor_exists(slug, name, kind):
    actor = Actor.objects.get(slug=slug)
    assert (actor.name, actor.kind) == (name, kind)


@pytest.mark.parametrize(
    "name, language, actor",
    [
        ("安倍晋三", "ja", "shinzo-abe"),
        ("Владимир Путин", "ru", "vladimir-putin"),
        ("Sergei Lavrov", "en", "sergey-lavrov"),
        ("James Mattis", "en", "jim-mattis"),
        ("U.S.", "en", "united-states"),
        ("DPRK", "en", "north-korea"),
        ("Group of Seven", "en", "g7"),
    ],
)
def test_actors_are_found_under_their_other_names(name, language, actor):
    assert ActorName.objects.get(name=name, language=language).actor.slug == actor


@pytest.mark.parametrize(
    "slug, label",
    [
        ("northern-territories", "Northern Territories / Southern Kurils"),
        ("etorofu", "Etorofu / Iturup"),
        ("kunashiri", "Kunashiri / Kunashir"),
        ("habomai", "Habomai / Khabomai"),
        ("shikotan", "Shikotan"),
        ("senkaku-islands", "Senkaku Islands / Diaoyu Islands"),
        ("kuril-islands", "Kuril Islands"),
    ],
)
def test_a_territory_label_shows_the_name_each_side_uses(slug, label):
    assert Territory.objects.with_names().get(slug=slug).label == label


@pytest.mark.parametrize(
    "slug, claimants, administered_by, part_of",
    [
        ("northern-territories", {"japan", "russia"}, "russia", "kuril-islands"),
        ("etorofu", {"japan", "russia"}, "russia", "northern-territories"),
        ("kunashiri", {"japan", "russia"}, "russia", "northern-territories"),
        ("shikotan", {"japan", "russia"}, "russia", "northern-territories"),
        ("habomai", {"japan", "russia"}, "russia", "northern-territories"),
        ("senkaku-islands", {"japan", "china", "taiwan"}, "japan", None),
        ("crimea", {"ukraine", "russia"}, "russia", None),
        ("hokkaido", set(), "japan", None),
    ],
)
def test_each_disputed_territory_records_its_claimants_and_administrator(slug, claimants, administered_by, part_of):
    territory = Territory.objects.get(slug=slug)
    assert set(territory.claimants.values_list("slug", flat=True)) == claimants
    assert territory.administered_by.slug == administered_by
    assert (territory.part_of.slug if territory.part_of else None) == part_of


@pytest.mark.parametrize(
    "slug, actors, territories",
    [
        (
            "japanese-pm-trump-approves-japans-outreach-to-russia",
            "shinzo-abe donald-trump vladimir-putin barack-obama japan russia united-states north-korea",
            "northern-territories hokkaido",
        ),
        (
            "japans-abe-has-one-thing-in-common-with-trump",
            "shinzo-abe donald-trump vladimir-putin barack-obama jim-mattis frank-jannuzi eugene-rumer "
            "japan russia united-states china north-korea g7",
            "senkaku-islands northern-territories",
        ),
        (
            "abe-tells-obama-he-intends-to-continue-dialogue-with-russia",
            "shinzo-abe barack-obama fumio-kishida vladimir-putin petro-poroshenko "
            "japan russia united-states china north-korea ukraine g7",
            "northern-territories senkaku-islands crimea",
        ),
        (
            "trumps-election-may-ease-japans-talks-with-russia",
            "shinzo-abe vladimir-putin donald-trump barack-obama fumio-kishida sergey-lavrov james-brown "
            "japan russia united-states ukraine g7",
            "northern-territories etorofu kunashiri shikotan habomai crimea hokkaido sea-of-okhotsk",
        ),
        (
            "russia-looking-for-stronger-economic-relations-with-japan",
            "vladimir-putin shinzo-abe japan russia united-states g7",
            "northern-territories kuril-islands etorofu kunashiri",
        ),
    ],
)
def test_each_article_is_tagged_with_what_it_is_about(slug, actors, territories):
    article = Article.objects.get(slug=slug)
    assert set(article.actors.values_list("slug", flat=True)) == set(actors.split())
    assert set(article.territories.values_list("slug", flat=True)) == set(territories.split())


def test_deleting_a_tagged_actor_is_refused():
    with pytest.raises(ProtectedError):
        Actor.objects.get(slug="shinzo-abe").delete()
    assert Article.objects.filter(actors__slug="shinzo-abe").count() == 5


def test_deleting_a_tagged_territory_is_refused():
    with pytest.raises(ProtectedError):
        Territory.objects.get(slug="crimea").delete()
