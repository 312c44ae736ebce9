"""The importer's extraction layer: from an uploaded file to an article's fields.

The seeds are the ground truth for plain text: extracting each raw seed must give what the
editors made of it in fixtures/seed_archive.json, except what they knew and the text does not
say (the inferred dates, the supplied headline). The HTML pages under tests/data/html/ were
written for these tests, each with the clutter and the metadata real news pages carry.
No database is needed.
"""

import datetime
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.ingest.extract import MAX_BYTES, Extracted, ExtractionError, extract

DATA = Path(__file__).parent / "data"
SEEDS_DIR = DATA / "seeds"
# Pages that import; pages that must be refused are in its unimportable/ folder.
HTML_DIR = DATA / "html"
FIXTURE = Path(__file__).parent.parent / "fixtures" / "seed_archive.json"

# Seed file number -> the article the editors made of it (as in test_seed_archive.py).
SEED_ARTICLES = {
    "000": "japanese-pm-trump-approves-japans-outreach-to-russia",
    "001": "japans-abe-has-one-thing-in-common-with-trump",
    "002": "abe-tells-obama-he-intends-to-continue-dialogue-with-russia",
    "003": "trumps-election-may-ease-japans-talks-with-russia",
    "004": "russia-looking-for-stronger-economic-relations-with-japan",
}


def _fixture():
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    articles = {row["fields"]["slug"]: row["fields"] for row in rows if row["model"] == "archive.article"}
    sources = [row["fields"]["name"] for row in rows if row["model"] == "archive.source"]
    return articles, sources


ARTICLES, KNOWN_SOURCES = _fixture()


def _seed_bytes(number):
    (path,) = SEEDS_DIR.glob(f"{number}_*.txt")
    return path.read_bytes()


def _seed(number, known_sources=tuple(KNOWN_SOURCES)):
    (path,) = SEEDS_DIR.glob(f"{number}_*.txt")
    return extract(path.read_bytes(), path.name, known_sources)


def _page(name, known_sources=tuple(KNOWN_SOURCES)):
    path = HTML_DIR / name
    return extract(path.read_bytes(), path.name, known_sources)


def _article_text(result: Extracted) -> str:
    return f"{result.title}\n{result.lead}\n{result.body}"


def _squash(text):
    return " ".join(text.split())


def _assert_extracted(result):
    assert isinstance(result, Extracted)
    assert result.title.strip()
    assert (result.lead + result.body).strip()


# --- The seeds ----------------------------------------------------------------------------


def test_the_known_sources_are_the_two_in_the_seed_archive():
    assert KNOWN_SOURCES == ["The Yomiuri Shimbun", "The Japan News"]


@pytest.mark.parametrize("number, slug", SEED_ARTICLES.items())
def test_each_seed_extracts_to_the_lead_and_body_its_editors_made(number, slug):
    result, article = _seed(number), ARTICLES[slug]
    assert result.lead == article["lead"]
    assert result.body == article["body"]


@pytest.mark.parametrize("number, slug", SEED_ARTICLES.items())
def test_each_seed_extracts_to_the_byline_dateline_and_page_its_editors_kept(number, slug):
    result, article = _seed(number), ARTICLES[slug]
    assert (result.byline, result.dateline, result.print_page) == (
        article["byline"],
        article["dateline"],
        article["print_page"],
    )


@pytest.mark.parametrize("number", ["000", "001", "002", "004"])
def test_each_seed_with_a_headline_keeps_it_as_the_title(number):
    result = _seed(number)
    assert result.title == ARTICLES[SEED_ARTICLES[number]]["title"]
    assert not result.title_supplied


def test_the_headless_seed_gets_a_title_from_its_first_sentence_and_says_so():
    result = _seed("003")
    assert result.title_supplied
    assert "No headline in the text; the title is its first sentence." in result.notes
    assert len(result.title) <= 120
    assert result.title.endswith("…")
    assert result.lead.startswith(result.title.removesuffix("…"))


@pytest.mark.parametrize(
    "number, source",
    [("000", ""), ("001", ""), ("002", "The Yomiuri Shimbun"), ("003", ""), ("004", "The Japan News")],
)
def test_each_seed_names_only_the_source_its_text_gives(number, source):
    assert _seed(number).source_name == source


def test_outlets_cited_in_the_prose_are_not_the_publisher():
    result = _seed("000", known_sources=[*KNOWN_SOURCES, "The Japan Times", "The New York Times"])
    assert result.source_name == ""
    assert "reported the Japan Times" in result.body


def test_the_aggregated_seed_takes_its_publisher_and_homepage_from_the_read_more_line():
    result = _seed("004")
    assert (result.source_name, result.source_homepage) == ("The Japan News", "https://japannews.yomiuri.co.jp/")


def test_a_publisher_not_among_the_known_sources_is_returned_as_written():
    assert _seed("002", known_sources=()).source_name == "Yomiuri"
    assert _seed("004", known_sources=()).source_name == "The Japan News"


def test_the_yomiuri_seed_takes_source_date_and_page_from_its_parenthesis():
    result = _seed("002")
    assert (result.published_on, result.date_precision, result.print_page) == (datetime.date(2015, 5, 16), "day", "2")
    assert "Source, date and page from “(Yomiuri: May 16, 2015 – p. 2)”." in result.notes


@pytest.mark.parametrize("number", ["000", "001", "003", "004"])
def test_a_seed_that_states_no_date_is_left_undated_whatever_the_editors_inferred(number):
    result = _seed(number)
    assert (result.published_on, result.date_precision) == (None, "unknown")
    assert any("no date" in note for note in result.notes)


def test_the_dateline_is_taken_out_of_the_opening_paragraph():
    result = _seed("004")
    assert result.dateline == "MOSCOW"
    assert result.lead.startswith("Russian President Vladimir Putin intends")


def test_the_credit_line_under_the_subheading_is_dropped_but_the_subheading_stays():
    paragraphs = _seed("004").paragraphs
    assert "Japan hopes for further island talks" in paragraphs
    assert "The Yomiuri Shimbun" not in paragraphs


def test_the_sentence_split_by_a_stray_line_break_is_joined_and_noted():
    result = _seed("002")
    assert "by Chinese and Russian aircraft is increasing." in result.body
    assert "is increasing." not in result.paragraphs
    assert any(note.startswith("Joined “is increasing.”") for note in result.notes)


@pytest.mark.parametrize("number", SEED_ARTICLES)
def test_no_seed_extraction_keeps_page_clutter(number):
    text = _article_text(_seed(number)).casefold()
    for clutter in ["Popular Video", "Sign in", "Photo Credit", "Skip to main content", "print PRINT", "inkl",
                    "subscribing", "Read more from", "Sources:", "• G7 Summit", "White House\n", "Politics"]:  # fmt: skip
        assert clutter.casefold() not in text, clutter


@pytest.mark.parametrize("number", SEED_ARTICLES)
def test_no_seed_paragraph_keeps_stray_spacing(number):
    for paragraph in _seed(number).paragraphs:
        assert paragraph == paragraph.strip()
        assert "\u00a0" not in paragraph and "\n" not in paragraph and "  " not in paragraph


@pytest.mark.parametrize("number", SEED_ARTICLES)
def test_plain_text_declares_no_language_and_no_address(number):
    result = _seed(number)
    assert (result.language, result.canonical_url) == ("", "")


# --- Plain text rules beyond the seeds ----------------------------------------------------

_PROSE = (
    "The foreign ministers of the two countries met for three hours and agreed to meet again next "
    "month to prepare for a summit of their leaders."
)
_MORE = "Officials said the talks covered trade, fisheries and the security of shipping lanes in the region."


def _text(*lines):
    return "\n\n".join(lines).encode("utf-8")


@pytest.mark.parametrize(
    "opening, dateline, lead_start",
    [
        ("MOSCOW -- Russia said", "MOSCOW", "Russia said"),
        ("TOKYO (Reuters) - Japan said", "TOKYO", "Japan said"),
        ("WASHINGTON — The United States said", "WASHINGTON", "The United States said"),
        ("ST. PETERSBURG – Officials said", "ST. PETERSBURG", "Officials said"),
        ("NEW DELHI, India — India said", "NEW DELHI, India", "India said"),
    ],
)
def test_datelines_in_their_usual_forms_are_taken_out_of_the_lead(opening, dateline, lead_start):
    result = extract(_text("Ministers agree to meet again", f"{opening} {_PROSE}", _MORE))
    assert result.dateline == dateline
    assert result.lead.startswith(lead_start)


def test_a_wire_agency_in_the_dateline_is_the_source_only_when_it_is_a_known_one():
    text = _text("Ministers agree to meet again", f"TOKYO (Reuters) - {_PROSE}", _MORE)
    assert extract(text, known_sources=["Reuters"]).source_name == "Reuters"
    result = extract(text)
    assert result.source_name == ""
    assert "The dateline credits “Reuters”." in result.notes


def test_an_all_caps_word_that_is_not_a_place_is_not_a_dateline():
    result = extract(_text("Ministers agree to meet again", f"UPDATE: {_PROSE}", _MORE))
    assert result.dateline == ""


@pytest.mark.parametrize(
    "line, byline",
    [
        ("By Jane Doe", "Jane Doe"),
        ("By Jane Doe and John Roe", "Jane Doe and John Roe"),
        ("BY JANE DOE", "JANE DOE"),
        ("Yoshio Hanada / Yomiuri Shimbun Correspondent", "Yoshio Hanada, Yomiuri Shimbun Correspondent"),
        ("Jane Doe, Staff Writer", "Jane Doe, Staff Writer"),
    ],
)
def test_a_byline_under_the_headline_is_the_byline(line, byline):
    result = extract(_text("Ministers agree to meet again", line, _PROSE, _MORE))
    assert result.byline == byline
    assert result.title == "Ministers agree to meet again"
    assert line not in _article_text(result)


def test_prose_that_uses_the_words_of_a_pitch_is_not_a_pitch():
    sentences = [
        "By subscribing to the treaty, Japan would accept the court's rulings on the islands.",
        "The regulator said the company's privacy policy did not meet the new rules on data held abroad.",
        "Copyright law was not on the agenda, but the two delegations agreed to meet again on the subject.",
    ]
    result = extract(_text("Ministers agree to meet again", _PROSE, *sentences))
    assert result.byline == ""
    assert result.paragraphs == [_PROSE, *sentences]


def test_a_headline_may_end_with_a_question_mark():
    result = extract(_text("Will Japan get the islands back?", _PROSE, _MORE))
    assert (result.title, result.lead) == ("Will Japan get the islands back?", _PROSE)


@pytest.mark.parametrize(
    "line, published_on, precision",
    [
        ("Published: March 3, 2018", datetime.date(2018, 3, 3), "day"),
        ("3 March 2018 10:30 JST", datetime.date(2018, 3, 3), "day"),
        ("2018-03-03", datetime.date(2018, 3, 3), "day"),
        ("(Asahi: December 2016)", datetime.date(2016, 12, 1), "month"),
        ("(Asahi: 2016 – p. 4)", datetime.date(2016, 1, 1), "year"),
    ],
)
def test_a_date_stated_under_the_headline_is_the_date_at_its_precision(line, published_on, precision):
    result = extract(_text("Ministers agree to meet again", line, _PROSE, _MORE))
    assert (result.published_on, result.date_precision) == (published_on, precision)
    assert line not in _article_text(result)
    assert any(note.startswith("Date (") for note in result.notes)


def test_an_updated_line_is_not_the_date_of_publication():
    result = extract(_text("Ministers agree to meet again", "Updated: March 4, 2018", _PROSE, _MORE))
    assert (result.published_on, result.date_precision) == (None, "unknown")


def test_a_date_in_the_prose_is_not_the_date_of_publication():
    result = extract(_text("Ministers agree to meet again", f"On March 3, 2018, {_PROSE}", _MORE))
    assert result.published_on is None


def test_a_hard_wrapped_paragraph_is_joined_into_one():
    wrapped = (
        "The foreign ministers of the two countries met for three hours on\n"
        "Friday and agreed to meet again next month to prepare for a summit\n"
        "of their leaders, officials said."
    )
    result = extract(_text("Ministers agree to meet again", wrapped, _MORE))
    assert result.lead == " ".join(wrapped.split("\n"))


def test_a_related_stories_list_and_what_follows_it_are_dropped():
    result = extract(
        _text(
            "Ministers agree to meet again",
            _PROSE,
            _MORE,
            "Related Stories\nJapan and Russia hold talks\nChina protests G7 statement",
            "Share this article",
        )
    )
    assert result.paragraphs == [_PROSE, _MORE]
    assert any(note.startswith("Removed page clutter") for note in result.notes)


def test_a_content_bullet_list_is_kept_but_a_tag_list_is_not():
    result = extract(
        _text(
            "Ministers agree to meet again",
            _PROSE,
            "• Japan will lift the ban on imports of salmon caught in the disputed waters.",
            "• Tags\n• Diplomacy\n• G7 Summit",
        )
    )
    assert "• Japan will lift the ban on imports of salmon caught in the disputed waters." in result.paragraphs
    assert "G7 Summit" not in result.body


def test_a_known_source_name_alone_in_the_body_is_a_credit_line():
    result = extract(
        _text("Ministers agree to meet again", _PROSE, "The Japan News", _MORE), known_sources=KNOWN_SOURCES
    )
    assert result.paragraphs == [_PROSE, _MORE]
    assert "Dropped the credit line “The Japan News” inside the article." in result.notes


def test_a_publisher_line_above_the_headline_names_the_source():
    result = extract(
        _text("The Yomiuri Shimbun", "Ministers agree to meet again", _PROSE, _MORE), known_sources=KNOWN_SOURCES
    )
    assert result.source_name == "The Yomiuri Shimbun"


def test_a_section_label_above_the_headline_is_not_a_source_even_if_it_shares_a_word():
    result = extract(_text("Japan", "Ministers agree to meet again", _PROSE, _MORE), known_sources=KNOWN_SOURCES)
    assert result.source_name == ""
    assert "Japan" not in result.paragraphs


def test_a_short_first_sentence_without_a_headline_stays_the_lead():
    result = extract(_text("The talks failed.", _PROSE, _MORE))
    assert result.lead == "The talks failed."
    assert result.title_supplied and result.title == "The talks failed"


def test_a_short_first_sentence_is_the_title_whole_when_it_fits():
    result = extract(_text(_MORE, _PROSE))
    assert result.title == _MORE.removesuffix(".")
    assert result.title_supplied


def test_the_first_sentence_does_not_end_at_an_abbreviation():
    result = extract(_text("The U.S. and Japan agreed on Friday to hold talks. " + _MORE))
    assert result.title == "The U.S. and Japan agreed on Friday to hold talks"


def test_a_markdown_heading_is_a_headline_without_its_marks():
    assert extract(_text("# Ministers agree to meet again", _PROSE, _MORE)).title == "Ministers agree to meet again"


def test_plain_text_saved_under_an_html_name_is_read_as_text():
    result = extract(_text("Ministers agree to meet again", _PROSE, _MORE), "story.html")
    assert (result.title, result.lead) == ("Ministers agree to meet again", _PROSE)


# --- HTML pages ---------------------------------------------------------------------------

HTML_PAGES = {
    "japan_news_jsonld.html": {
        "title": "Japan, Russia agree to resume fisheries talks near disputed islands",
        "byline": "Keiko Tanabe, Daniel Morrow",
        "dateline": "TOKYO",
        "published_on": datetime.date(2016, 12, 10),
        "date_precision": "day",
        "source_name": "The Japan News",
        "source_homepage": "https://japannews.yomiuri.co.jp/",
        "canonical_url": "https://japannews.yomiuri.co.jp/politics/20161210-000123/",
        "language": "en",
    },
    "nordic_review_opengraph.html": {
        "title": "Arctic Council ministers back new search-and-rescue pact",
        "byline": "Anna Lindqvist, Mikko Virtanen",
        "dateline": "",
        "published_on": datetime.date(2017, 2, 11),
        "date_precision": "day",
        "source_name": "Nordic Diplomatic Review",
        "source_homepage": "https://nordicdiplomaticreview.example/",
        "canonical_url": "https://nordicdiplomaticreview.example/2017/02/11/arctic-council-search-and-rescue/",
        "language": "en-GB",
    },
    "no_metadata.html": {
        "title": "Mongolia hosts talks on Northeast Asian energy links",
        "byline": "",
        "dateline": "",
        "published_on": None,
        "date_precision": "unknown",
        "source_name": "",
        "source_homepage": "",
        "canonical_url": "",
        "language": "",
    },
    "vestnik_russian.html": {
        "title": "Россия и Япония обсудили совместную хозяйственную деятельность на Курилах",
        "byline": "Ирина Соколова",
        "dateline": "МОСКВА",
        "published_on": datetime.date(2018, 3, 19),
        "date_precision": "day",
        "source_name": "Вестник дипломатии",
        "source_homepage": "https://vestnik-diplomatii.example/",
        "canonical_url": "https://vestnik-diplomatii.example/news/2018/03/19/kurily-sovmestnaya-deyatelnost",
        "language": "ru",
    },
    "think_tank_month_only.html": {
        "title": "The Kurils after Yamaguchi: what the summit settled, and what it did not",
        "byline": "Marta Kowalczyk",
        "dateline": "",
        "published_on": datetime.date(2016, 12, 1),
        "date_precision": "month",
        "source_name": "Asia Policy Quarterly",
        "source_homepage": "",
        "canonical_url": "",
        "language": "en-US",
    },
    "wire_malformed_date.html": {
        "title": "G7 foreign ministers call for restraint in South China Sea",
        "byline": "",
        "dateline": "HIROSHIMA",
        "published_on": None,
        "date_precision": "unknown",
        "source_name": "World Wire Digest",
        "source_homepage": "",
        "canonical_url": "",
        "language": "en",
    },
    "diario_austral_windows1252.html": {
        "title": "Chile y Argentina firman un acuerdo sobre pasos fronterizos en los Andes",
        "byline": "Lucía Fernández Pérez",
        "dateline": "SANTIAGO",
        "published_on": datetime.date(2017, 5, 4),
        "date_precision": "day",
        "source_name": "Diario Austral",
        "source_homepage": "https://diarioaustral.example/",
        "canonical_url": "https://diarioaustral.example/internacional/2017/05/acuerdo-pasos-fronterizos",
        "language": "es",
    },
}

# Text from each page's scripts, menus, banners, share buttons, related lists, comments and
# footer: none of it may reach the article.
PAGE_FURNITURE = {
    "japan_news_jsonld.html": [
        "gtag", "analytics", "cookies", "Accept all", "Subscribe", "Editorial & Columns", "Share on", "Tweet",
        "Advertisement", "loadAd", "Tags:", "Related Stories", "Abe to host Putin", "Most Read", "Heavy snow",
        "Share this article", "Comments", "Great news for the fishermen", "Copyright", "All rights reserved", "footer script",
        "Photo:", "By Keiko Tanabe", "Diplomacy\n",
    ],
    "nordic_review_opengraph.html": [
        "Skip to main content", "Sign in", "Subscribe", "Front page", "newsletter", "Arctic briefing",
        "Share:", "LinkedIn", "More from", "Barents fisheries", "42 comments", "long overdue", "Cookie",
        "Nordic Review Media", "paywall", "Published", "By Anna Lindqvist",
    ],
    "no_metadata.html": ["Home", "Archive", "About this site", "Share this page", "Back to top"],
    "vestnik_russian.html": [
        "cookie", "Политика", "Экономика", "Поделиться", "ВКонтакте", "Читайте также", "Послание президента",
        "Все права защищены", "_tmr", "МОСКВА —",
    ],
    "think_tank_month_only.html": [
        "Donate", "cookies", "Issue 2016/4", "Support our journalism", "Recommended", "Abe's Russia gamble",
        "jquery", "Area (km²)", "3,167",
    ],
    "wire_malformed_date.html": [
        "Top News", "Markets", "free articles", "Subscribe", "Reporting by", "Related Coverage",
        "China rejects", "quotes delayed", "All rights reserved",
    ],
    "diario_austral_windows1252.html": [
        "cookies", "Portada", "Aceptar", "Noticias relacionadas", "Bolivia reclama", "derechos reservados",
        "pubAds", "Por Lucía",
    ],
}  # fmt: skip


def test_there_are_pages_of_varied_structure_for_every_case():
    assert set(HTML_PAGES) == set(PAGE_FURNITURE) == {p.name for p in HTML_DIR.glob("*.html")}
    assert len(HTML_PAGES) >= 5


@pytest.mark.parametrize("name, expected", HTML_PAGES.items())
def test_each_html_page_gives_its_title_byline_date_source_address_and_language(name, expected):
    result = _page(name)
    assert {field: getattr(result, field) for field in expected} == expected
    assert not result.title_supplied


@pytest.mark.parametrize("name, furniture", PAGE_FURNITURE.items())
def test_no_page_furniture_reaches_the_article_text(name, furniture):
    text = _article_text(_page(name))
    for clutter in furniture:
        assert clutter.casefold() not in text.casefold(), clutter


@pytest.mark.parametrize("name", HTML_PAGES)
def test_each_html_page_keeps_its_paragraphs_apart_and_tidy(name):
    result = _page(name)
    assert len(result.paragraphs) >= 4
    for paragraph in result.paragraphs:
        assert paragraph == _squash(paragraph)
        assert "<" not in paragraph and "{" not in paragraph


def test_a_subheading_and_a_quotation_stay_paragraphs_of_their_own():
    paragraphs = _page("think_tank_month_only.html").paragraphs
    assert "What was agreed" in paragraphs
    assert "We have agreed to start talks on a special system, not on who owns the islands." in paragraphs
    assert "Sovereignty left aside" in _page("japan_news_jsonld.html").paragraphs


def test_each_metadata_value_says_where_it_came_from():
    notes = _page("japan_news_jsonld.html").notes
    assert "Date (10 December 2016, day precision) taken from JSON-LD datePublished." in notes
    assert "Source from the JSON-LD publisher (“The Japan News”)." in notes
    assert "Byline from the JSON-LD author." in notes


def test_a_date_widget_in_the_page_header_is_not_the_date_of_the_article():
    result = _page("nordic_review_opengraph.html")
    assert result.published_on == datetime.date(2017, 2, 11)
    assert "2024" not in " ".join(result.notes)


def test_malformed_dates_leave_the_date_unknown_and_say_so():
    notes = _page("wire_malformed_date.html").notes
    assert "Ignored a date that is not a date: “2016-13-45” in JSON-LD datePublished." in notes
    assert "Ignored a date that is not a date: “sometime last week” in the article:published_time meta tag." in notes
    assert "The page states no date of publication; the date is left unknown." in notes


def test_an_organisation_as_author_is_not_a_byline():
    assert _page("wire_malformed_date.html").byline == ""


def test_a_page_declaring_windows_1252_is_read_in_it():
    result = _page("diario_austral_windows1252.html")
    assert "“Es un paso concreto" in result.body
    assert "miércoles" in result.lead


def test_a_publisher_not_among_the_known_sources_is_noted_as_new():
    notes = _page("vestnik_russian.html").notes
    assert "“Вестник дипломатии” is not a source in the archive yet." in notes


def _page_with(head, body_top=""):
    paragraphs = "".join(f"<p>{_PROSE} {n}.</p>" for n in ["One", "Two", "Three", "Four"])
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body><article><h1>Ministers agree to meet again</h1>"
        f"{body_top}{paragraphs}</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "value, published_on, precision",
    [
        ("2016-12-10T09:00:00+09:00", datetime.date(2016, 12, 10), "day"),
        ("2016-12-10", datetime.date(2016, 12, 10), "day"),
        ("2016-12", datetime.date(2016, 12, 1), "month"),
        ("2016", datetime.date(2016, 1, 1), "year"),
        ("2016-02-30", None, "unknown"),
        ("next Tuesday", None, "unknown"),
    ],
)
def test_a_page_date_is_kept_at_the_precision_it_is_given(value, published_on, precision):
    result = extract(_page_with(f'<meta property="article:published_time" content="{value}">'))
    assert (result.published_on, result.date_precision) == (published_on, precision)
    if published_on is None:
        assert any(value in note for note in result.notes)


def test_a_source_line_in_a_page_gives_its_source_date_and_printed_page():
    result = extract(_page_with("", body_top="<p>(Yomiuri: May 16, 2015 – p. 2)</p>"), known_sources=KNOWN_SOURCES)
    assert (result.source_name, result.published_on, result.print_page) == (
        "The Yomiuri Shimbun",
        datetime.date(2015, 5, 16),
        "2",
    )
    assert "Yomiuri:" not in result.lead


def test_an_updated_line_in_a_page_is_neither_its_date_nor_its_text():
    result = extract(_page_with("", body_top="<p>Updated: March 4, 2018</p>"))
    assert (result.published_on, result.date_precision) == (None, "unknown")
    assert "Updated" not in result.lead


def test_a_page_without_any_date_is_never_dated_from_the_clock():
    result = extract(_page_with("<title>Ministers agree to meet again</title>"))
    assert (result.published_on, result.date_precision) == (None, "unknown")


def test_a_relative_canonical_link_is_made_absolute_against_og_url():
    head = '<meta property="og:url" content="https://example.org/a/b"><link rel="canonical" href="/news/ministers">'
    assert extract(_page_with(head)).canonical_url == "https://example.org/news/ministers"


def test_a_site_name_after_the_title_is_left_out():
    head = '<meta property="og:title" content="Ministers agree to meet again | The Japan News">'
    result = extract(_page_with(head), known_sources=KNOWN_SOURCES)
    assert result.title == "Ministers agree to meet again"


@pytest.mark.parametrize(
    "head, language",
    [
        ('<meta property="og:locale" content="ja_JP">', "ja-JP"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "inLanguage": "fr"}</script>', "fr"),
        ("", ""),
    ],
)
def test_the_language_is_the_one_the_page_declares_and_never_guessed(head, language):
    assert extract(_page_with(head)).language == language


def test_an_html_file_is_recognised_by_its_name_as_well_as_its_content():
    body = f"<p>{_PROSE}</p><p>{_MORE}</p>".encode()
    assert "<p>" not in extract(body, "story.html").lead
    assert extract(body, "story.html").lead == _PROSE


# --- Files that are not articles ----------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"   \n\t\r\n  ", "empty file"),
        ("\u00a0\n\u3000".encode(), "empty file"),
        (b"Abe met Putin\x00\x00\x00 in Nagato", "binary file, not text or HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary file, not text or HTML"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(1, 32)) * 40, "binary file, not text or HTML"),
        (b"x" * (6 * 1024 * 1024), "file too large (over 5 MB)"),
        ((HTML_DIR / "unimportable" / "no_article_text.html").read_bytes(), "no article text found"),
        (b"<html><body><nav>Home | World</nav><p>Sign in</p></body></html>", "no article text found"),
        (b"Home\n\nShare\n\nSign in", "no article text found"),
    ],
    ids=[
        "empty",
        "whitespace",
        "unicode-whitespace",
        "nul-bytes",
        "png",
        "pdf",
        "six-megabytes",
        "html-404-page",
        "html-menu-only",
        "menu-only",
    ],
)
def test_a_file_that_holds_no_article_is_refused_with_a_reason(data, message):
    with pytest.raises(ExtractionError) as raised:
        extract(data, "upload")
    assert str(raised.value).startswith(message)


def test_the_size_limit_is_five_megabytes_and_a_file_at_it_is_read():
    assert MAX_BYTES == 5 * 1024 * 1024
    filler = ("\n\n" + _MORE) * (MAX_BYTES // (len(_MORE) + 2))
    data = _text("Ministers agree to meet again", _PROSE) + filler.encode()
    data = data[:MAX_BYTES]
    assert extract(data).title == "Ministers agree to meet again"


def test_text_that_is_not_utf8_is_decoded_by_detection_and_noted():
    text = "Abe’s talks with Putin\n\n" + _PROSE.replace("countries", "countries’") + " “We agreed,” he said."
    result = extract(text.encode("cp1252"), "story.txt")
    assert result.title == "Abe’s talks with Putin"
    assert "“We agreed,” he said." in result.lead
    assert any("not UTF-8" in note for note in result.notes)


def test_a_page_that_declares_a_charset_it_does_not_use_is_read_as_utf8_and_noted():
    data = _page_with('<meta charset="iso-8859-1"><title>Pérez in Tokyo</title>').replace(
        b"Four.", "Fourth, said Pérez.".encode()
    )
    result = extract(data)
    assert "Pérez" in result.body
    assert any("declares windows-1252 but its text is UTF-8" in note for note in result.notes)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_text_with_a_byte_order_mark_is_decoded_by_it(encoding):
    result = extract(f"Ministers agree to meet again\n\n{_PROSE}\n\n{_MORE}".encode(encoding))
    assert (result.title, result.lead) == ("Ministers agree to meet again", _PROSE)


@pytest.mark.parametrize(
    "data",
    [
        # A NUL past the part checked for binary, and in files with a byte-order mark.
        f"Ministers agree to meet again\n\n{_PROSE}\n\n{'More prose. ' * 7000}\x00{_MORE}".encode(),
        f"Ministers agree to meet again\n\n{_PROSE}\x00\n\n{_MORE}".encode("utf-8-sig"),
        f"Ministers agree to meet again\n\n{_PROSE}\x00\n\n{_MORE}".encode("utf-16"),
    ],
)
def test_a_stray_nul_character_is_removed_and_noted(data):
    result = extract(data)
    assert result.title == "Ministers agree to meet again"
    assert "\x00" not in result.title + result.lead + result.body
    assert any("NUL" in note for note in result.notes)


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="undefined">',
        '<meta charset="punycode">',
        '<script type="application/ld+json">' + "[" * 3000 + "]" * 3000 + "</script>",
        '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": {"@id": ["x"]},'
        ' "inLanguage": {"@id": {"a": 1}}, "author": {"@id": 3}}</script>',
    ],
)
def test_a_page_with_an_unusable_charset_or_structured_data_is_still_read(head):
    result = extract(_page_with(head))
    assert result.title == "Ministers agree to meet again" and _PROSE in result.lead


def test_only_an_editor_readable_value_error_escapes():
    assert issubclass(ExtractionError, ValueError)


# --- Whatever the bytes -------------------------------------------------------------------

_SEED_LINES = sorted(
    {line for n in SEED_ARTICLES for line in _seed_bytes(n).decode("utf-8").splitlines() if line.strip()}
)[:400]
_HTML_PIECES = ["<p>", "</p>", "<h1>", "</h1>", "<script>var a = 1;</script>", "<nav>Home</nav>", "<article>",
                "</article>", "<time datetime='2016-12'>", '<meta property="og:title" content="T">', "<br>", "&amp;",
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "x"}</script>']  # fmt: skip


def _is_acceptable(data, filename=""):
    try:
        result = extract(data, filename, KNOWN_SOURCES)
    except ExtractionError as error:
        assert str(error)
        return
    _assert_extracted(result)
    assert result.date_precision in {"day", "month", "year", "unknown"}
    assert (result.published_on is None) == (result.date_precision == "unknown")
    if result.date_precision in {"month", "year"}:
        assert result.published_on.day == 1
    if result.date_precision == "year":
        assert result.published_on.month == 1


_FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(st.binary(max_size=3000))
def test_any_bytes_give_an_article_or_an_extraction_error(data):
    _is_acceptable(data)


@_FAST
@given(
    st.lists(st.one_of(st.sampled_from(_SEED_LINES), st.text(max_size=80)), max_size=30),
    st.sampled_from(["\n", "\n\n", "\r\n"]),
)
def test_any_mix_of_web_text_lines_gives_an_article_or_an_extraction_error(lines, separator):
    _is_acceptable(separator.join(lines).encode("utf-8", "surrogatepass"))


@_FAST
@given(
    st.lists(st.one_of(st.sampled_from(_HTML_PIECES), st.sampled_from(_SEED_LINES), st.text(max_size=40)), max_size=25)
)
def test_any_mix_of_markup_and_text_gives_an_article_or_an_extraction_error(pieces):
    _is_acceptable(("<!DOCTYPE html><html><body>" + "".join(pieces)).encode("utf-8", "surrogatepass"))
