"""Whatever arrives in an address, the answer is a page (200), a refusal (400) or nothing
there (404): never a server error, and never an unfiltered list in answer to a bad filter.

Values are written as they travel, already percent-encoded, so that bytes no browser
would send (invalid UTF-8, an encoded UTF-16 surrogate) reach the site as they would from
a hostile client. Every public parameter is fed every bad value; the search parameter `q`
also has tests of its own for what it finds.
"""

import datetime
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.models import Territory
from tests.conftest import listed_titles, make_actor, make_article, make_source, make_territory, parse_page

ALLOWED = {200, 400, 404}
CANARY = "Canary report"


@pytest.fixture
def archive(db):
    japan = make_actor(name="Japan", slug="japan")
    kurils = make_territory(name="Kuril Islands", slug="kurils", kind=Territory.Kind.ISLAND_GROUP)
    tass = make_source(name="TASS", slug="tass")
    make_article(
        title=CANARY,
        slug="canary",
        source=tass,
        published_on=datetime.date(2016, 12, 15),
        actors=[japan],
        territories=[kurils],
    )


def _full_width(text):
    """`japan` as `ｊａｐａｎ`: the forms an East Asian keyboard may send, percent-encoded."""
    return quote("".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text))


# A value each parameter really accepts; its full-width form must not be taken for it.
VALID = {
    "q": "canary",
    "exact": "1",
    "source": "tass",
    "actor": "japan",
    "territory": "kurils",
    "source_not": "tass",
    "actor_not": "japan",
    "territory_not": "kurils",
    "from": "2016-12-15",
    "to": "2016-12-15",
    "sort": "oldest",
    "page": "1",
    "format": "json",
    "kind": "state",
}

BAD_VALUES = {
    "nul-byte": "a%00b",
    "60000-characters": "a" * 60_000,
    "60000-digits": "9" * 60_000,
    "invalid-utf8": "%ff%fe",
    "lone-surrogate": "%ed%a0%80",
    "overlong-utf8-slash": "%c0%af",
    "full-width": None,  # the parameter's own valid value, in full-width forms
    "nfd": quote(unicodedata.normalize("NFD", "Kōno Tarō")),
    "unbalanced-quote": quote('"japan'),
    "lone-operators": quote('OR AND NOT - * ( ) " -" OR'),
    "lone-minus": "-",
    "arabic-indic-digits": quote("٢٠١٦"),
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "month-13-day-45": "2015-13-45",
    "year-0": "0000-01-01",
    "year-10000": "10000-01-01",
    "negative": "-1",
    "zero": "0",
    "huge": "99999999999999999999",
    "float": "1.5",
    "exponent": "1e3",
    "underscored": "1_0",
    "padded": "%201%20",
    "non-numeric": "abc",
    "unknown-slug": "no-such-slug",
    "markup": quote("<script>alert(1)</script>"),
    "sql": quote("' OR 1=1 --"),
    "newline": "japan%0a",
    "control-characters": "japan%01%0b%1f",
}

# Values that are good for the parameter they are given to, and must work there.
MEANINGFUL = {("from", "year-1"), ("to", "year-9999")}
# Any text is a search (it may find the article, or nothing), and `exact` is a checkbox:
# any value ticks it, and alone it narrows nothing. Both may list; neither may fail.
FREE_TEXT = {"q", "exact"}

ARTICLE_PARAMETERS = [
    "q",
    "exact",
    "source",
    "actor",
    "territory",
    "source_not",
    "actor_not",
    "territory_not",
    "from",
    "to",
    "sort",
    "page",
    "format",
]
INDEXES = ["/actors/", "/territories/", "/sources/"]
ENTITY_PAGES = ["/actors/japan/", "/territories/kurils/", "/sources/tass/"]
DETAIL_PREFIXES = ["/articles/", "/actors/", "/territories/", "/sources/"]


def _value(parameter, label):
    value = BAD_VALUES[label]
    return _full_width(VALID[parameter]) if value is None else value


def _listed(response):
    """What a response lists: article titles, entity names or JSON results."""
    if response["Content-Type"].startswith("application/json"):
        return response.json().get("results", [])
    page = parse_page(response)
    entities = [a.text() for ul in page.find_all("ul", cls="entity-list") for a in ul.find_all("a")]
    return listed_titles(response) + entities


def _assert_safe(response, *, may_list=False, output="html"):
    assert response.status_code in ALLOWED, response.status_code
    if output == "json" and response.status_code != 200:
        # Refused as it asked to be answered: a JSON client reads the errors it is given.
        assert response["Content-Type"] == "application/json"
        assert response.json()["errors"]
    if response.status_code == 200:
        if not may_list:
            assert _listed(response) == []
        assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize("label", BAD_VALUES)
@pytest.mark.parametrize(
    ("parameter", "output"),
    # `format` is its own output: a bad one is asked for once.
    [(parameter, output) for parameter in ARTICLE_PARAMETERS for output in ("html", "json") if parameter != "format"]
    + [("format", "html")],
)
def test_a_bad_article_list_parameter_is_never_a_server_error_nor_an_unfiltered_list(
    client, archive, parameter, label, output
):
    query = f"{parameter}={_value(parameter, label)}"
    if parameter != "format":
        query += f"&format={output}"
    response = client.get(f"/articles/?{query}")
    meaningful = (parameter, label) in MEANINGFUL
    _assert_safe(response, may_list=meaningful or parameter in FREE_TEXT, output=output)
    if meaningful:
        assert response.status_code == 200
        assert len(_listed(response)) == 1


@pytest.mark.parametrize("label", BAD_VALUES)
@pytest.mark.parametrize("parameter", [parameter for parameter in ARTICLE_PARAMETERS if parameter != "format"])
@pytest.mark.parametrize("output", ["atom", "csv"])
def test_a_bad_article_list_parameter_in_an_export_is_never_a_server_error_nor_an_unfiltered_list(
    client, archive, parameter, label, output
):
    # Exports plan their reads apart from pages (a feed reads as many rows as it shows,
    # a CSV every match), so garbage goes through them too. They have no pages: `page`
    # is ignored, and may list.
    response = client.get(f"/articles/?{parameter}={_value(parameter, label)}&format={output}")
    assert response.status_code in ALLOWED, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    may_list = parameter in FREE_TEXT or parameter == "page" or (parameter, label) in MEANINGFUL
    if response.status_code == 200:
        if not may_list:
            assert CANARY.encode() not in body
        assert b"<script>alert(1)" not in body
    else:  # a refusal says why, as JSON (its own content type: no markup runs)
        assert response["Content-Type"].startswith(("application/json", "text/html"))


@pytest.mark.parametrize("label", BAD_VALUES)
@pytest.mark.parametrize(
    ("path", "parameter"),
    [(path, parameter) for path in INDEXES for parameter in ("kind", "page", "format")]
    + [(path, parameter) for path in ENTITY_PAGES for parameter in ("page", "format")],
)
def test_a_bad_index_or_entity_page_parameter_is_never_a_server_error(client, archive, path, parameter, label):
    for output in ("html", "json"):
        query = f"{parameter}={_value(parameter, label)}"
        if parameter != "format":
            query += f"&format={output}"
        _assert_safe(client.get(f"{path}?{query}"), output=output if parameter != "format" else "html")


@pytest.mark.parametrize("label", BAD_VALUES)
@pytest.mark.parametrize("prefix", DETAIL_PREFIXES)
def test_a_bad_slug_in_the_path_is_a_404(client, archive, prefix, label):
    value = _full_width("japan") if label == "full-width" else BAD_VALUES[label]
    response = client.get(f"{prefix}{value}/")
    assert response.status_code in {400, 404}


@pytest.mark.parametrize("label", BAD_VALUES)
@pytest.mark.parametrize("parameter", ["q", "exact"])
def test_a_bad_search_carried_to_an_article_page_is_never_a_server_error(client, archive, parameter, label):
    # The article page highlights what `q` (and `exact`) matched; a bad search shows the
    # article without highlights.
    other = "exact=1" if parameter == "q" else "q=canary"
    response = client.get(f"/articles/canary/?{parameter}={_value(parameter, label)}&{other}")
    assert response.status_code == 200
    assert CANARY.encode() in response.content
    assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize("path", ["/articles/", "/articles/canary/", *INDEXES, *ENTITY_PAGES])
def test_more_than_a_thousand_parameters_is_a_400(client, archive, path):
    query = "&".join(f"actor=japan-{n}" for n in range(1_001))
    assert client.get(f"{path}?{query}").status_code == 400


@pytest.mark.parametrize(
    "path", ["/", "/articles/", "/articles/?q=treaty&format=json", "/articles/canary/", "/admin/", "/sitemap.xml"]
)
def test_a_host_the_site_does_not_answer_to_is_a_400(client, archive, path):
    # The 400 page is rendered for the request that named the host, and must not ask it
    # for its own address again.
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"evil.example" not in response.content
    page = client.get("/articles/canary/").content.decode()
    assert '<meta property="og:url" content="http://testserver/articles/canary/">' in page


def test_many_repeats_of_a_filter_under_the_limit_show_an_error_not_a_list(client, archive):
    response = client.get(f"/articles/?{'&'.join(['actor=japan'] * 999)}")
    _assert_safe(response)
    assert response.status_code == 200
    assert b"Choose at most 10." in response.content


def test_a_bad_value_beside_good_ones_still_lists_nothing(client, archive):
    response = client.get("/articles/?source=tass&actor=japan&territory=kurils&from=2016&to=%ff%fe")
    _assert_safe(response)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "parameter", [p for p in ARTICLE_PARAMETERS if p not in FREE_TEXT and not p.endswith("_not")] + ["q"]
)
def test_each_valid_value_used_above_does_list_the_article(client, archive, parameter):
    # The other side of the matrix: the valid values whose full-width forms are refused
    # really are accepted, so the refusals above are not a site that lists nothing at all.
    response = client.get(f"/articles/?{parameter}={VALID[parameter]}")
    assert response.status_code == 200
    assert len(_listed(response)) == 1


@pytest.mark.parametrize("parameter", ["source_not", "actor_not", "territory_not"])
def test_each_valid_exclusion_used_above_does_leave_the_article_out(client, archive, parameter):
    response = client.get(f"/articles/?{parameter}={VALID[parameter]}")
    assert response.status_code == 200
    assert "errorlist" not in response.content.decode()
    assert _listed(response) == []


# --- Fuzzing -------------------------------------------------------------------------------

_parameters = st.sampled_from([*ARTICLE_PARAMETERS, "kind", "unknown"])
# Any text a browser could send (every code point but a lone surrogate), and raw bytes
# that need not be UTF-8 at all; both percent-encoded as they would travel.
_values = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300).map(lambda t: quote(t, safe="")),
    st.binary(max_size=300).map(lambda b: quote(b, safe="")),
)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(_parameters, _values), min_size=1, max_size=4))
def test_random_parameters_on_the_article_list_never_cause_a_server_error(client, archive, pairs):
    response = client.get("/articles/?" + "&".join(f"{name}={value}" for name, value in pairs))
    assert response.status_code in ALLOWED


# Every parameter at once, each with a value drawn from the bad values above, a valid one,
# or random text or bytes: whatever the mix, the page is a page, a refusal or nothing.
_any_value = st.one_of(st.sampled_from([v for v in BAD_VALUES.values() if v is not None]), _values)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries({name: st.one_of(st.just(VALID[name]), _any_value) for name in ARTICLE_PARAMETERS}),
    output=st.sampled_from(["html", "json"]),
)
def test_every_parameter_at_once_with_random_values_never_causes_a_server_error(client, archive, values, output):
    query = "&".join(f"{name}={value}" for name, value in values.items())
    response = client.get(f"/articles/?{query}&format={output}")
    assert response.status_code in ALLOWED
