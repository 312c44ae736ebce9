"""Coverage over time on lists and entity pages, and who uses which name of a disputed
territory: charts drawn on the server, their numbers as a table and as CSV."""

import datetime

import pytest

from archive.charts import bar_chart
from archive.coverage import coverage
from archive.models import Article, Claim, Territory
from tests.conftest import make_actor, make_article, make_source, make_territory, parse_page


def _dated(day=None, month=None, year=None, **fields):
    if day:
        return make_article(published_on=day, date_precision="day", **fields)
    if month:
        return make_article(published_on=month, date_precision="month", **fields)
    if year:
        return make_article(published_on=datetime.date(year, 1, 1), date_precision="year", **fields)
    return make_article(published_on=None, date_precision="unknown", **fields)


def test_coverage_counts_by_month_and_leaves_out_year_only_and_undated(db):
    _dated(day=datetime.date(2016, 3, 14))
    _dated(day=datetime.date(2016, 3, 30))
    _dated(month=datetime.date(2016, 6, 1))
    _dated(year=2016)
    _dated()
    _dated(day=datetime.date(2016, 4, 2), status=Article.Status.DRAFT)
    result = coverage(Article.objects.published())
    assert result.unit == "month"
    assert result.periods == [
        ("2016-03", "Mar 2016", 2),
        ("2016-04", "Apr 2016", 0),
        ("2016-05", "May 2016", 0),
        ("2016-06", "Jun 2016", 1),
    ]
    assert (result.year_only, result.undated) == (1, 1)


def test_coverage_over_a_long_span_counts_by_year_with_year_only_articles(db):
    _dated(day=datetime.date(2010, 5, 1))
    _dated(year=2012)
    _dated(month=datetime.date(2016, 2, 1))
    result = coverage(Article.objects.published())
    assert result.unit == "year"
    counts = [(key, count) for key, _, count in result.periods]
    assert counts == [("2010", 1), ("2011", 0), ("2012", 1), ("2013", 0), ("2014", 0), ("2015", 0), ("2016", 1)]
    assert result.year_only == 0


def test_chart_escapes_every_label_and_summary():
    svg = bar_chart([("<script>alert(1)</script>", 3), ("b&c", 1)], summary='"><img src=x>', chart_id="c")
    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg and "b&amp;c" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c-title"' in svg


def test_article_list_shows_the_chart_its_table_and_csv_link(client, db):
    _dated(day=datetime.date(2016, 3, 14), title="Talks resume")
    _dated(day=datetime.date(2016, 5, 1), title="Talks stall")
    _dated(title="Undated talks")
    _dated(day=datetime.date(2016, 4, 1), title="Secret talks", status=Article.Status.DRAFT)
    response = client.get("/articles/", {"q": "talks"})
    page = parse_page(response)
    svg = next(page.find_all("svg", cls="chart"))
    assert svg.attrs["role"] == "img"
    assert "Mar 2016 to May 2016: 2 in all" in next(svg.find_all("title")).text()
    table = next(next(page.find_all("details", cls="chart-data")).find_all("table"))
    rows = [[cell.text() for cell in row.find_all() if cell.tag in ("th", "td")] for row in table.find_all("tr")]
    assert rows[1:] == [["Mar 2016", "1"], ["Apr 2016", "0"], ["May 2016", "1"]]
    assert "1 with no known date is left out" in response.content.decode()
    link = next(a for a in page.find_all("a") if a.text() == "Data as CSV")
    assert "format=csv" in link.attrs["href"] and "data=coverage" in link.attrs["href"]

    csv = client.get("/articles/" + link.attrs["href"])
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines() == ["month,articles", "2016-03,1", "2016-04,0", "2016-05,1"]


def test_entity_pages_chart_their_published_articles(client, db):
    source = make_source(slug="kyodo")
    actor = make_actor(slug="japan")
    territory = make_territory(slug="kurils")
    for day in (datetime.date(2016, 1, 5), datetime.date(2016, 2, 5)):
        _dated(day=day, source=source, actors=[actor], territories=[territory])
    _dated(day=datetime.date(2016, 9, 5), source=source, actors=[actor], status=Article.Status.DRAFT)
    for path in ("/sources/kyodo/", "/actors/japan/", "/territories/kurils/"):
        response = client.get(path, {"format": "csv", "data": "coverage"})
        assert response.content.decode().splitlines() == ["month,articles", "2016-01,1", "2016-02,1"], path
        assert "Jan 2016 to Feb 2016: 2 in all" in client.get(path).content.decode()


def _as_coverage_csv(path):
    return f"{path}{'&' if '?' in path else '?'}format=csv&data=coverage"


def test_coverage_as_csv_counts_what_the_list_holds_whichever_way_it_is_read(client, db):
    # Whole archives and entities are read from the cached numbers, other lists counted
    # in the database: each CSV must say what counting the list's own articles says.
    kyodo, other = make_source(slug="kyodo"), make_source(slug="other")
    japan = make_actor(slug="japan")
    kurils = make_territory(slug="kurils")
    days = [datetime.date(2016, month, 5) for month in (1, 2, 2, 3, 5)]
    for n, day in enumerate(days):
        _dated(day=day, source=kyodo if n % 2 else other, actors=[japan] if n != 2 else [], territories=[kurils])
    _dated(month=datetime.date(2016, 4, 1), source=kyodo, actors=[japan])
    _dated(year=2016, actors=[japan])
    _dated(actors=[japan])
    _dated(day=datetime.date(2016, 4, 5), source=kyodo, actors=[japan], status=Article.Status.DRAFT)
    published = Article.objects.published().filter(pk__gt=0)  # never the cached numbers' scope
    lists = {
        "/articles/": published,
        "/articles/?actor=japan": published.filter(actors=japan),
        "/articles/?actor=japan&from=2016-02-01&to=2016-04-30": published.filter(
            actors=japan, published_on__range=(datetime.date(2016, 2, 1), datetime.date(2016, 4, 30))
        ),
        "/articles/?actor=japan&source_not=other": published.filter(actors=japan).exclude(source=other),
        "/actors/japan/": published.filter(actors=japan),
        "/sources/kyodo/": published.filter(source=kyodo),
        "/territories/kurils/": published.filter(territories=kurils),
    }

    def rows(queryset):
        chart = coverage(queryset)
        assert chart.periods  # a list with something to count
        return [f"{chart.unit},articles"] + [f"{key},{count}" for key, _, count in chart.periods]

    for path, articles in lists.items():
        for _ in range(2):  # counted, then from the cache when the list has a scope
            response = client.get(_as_coverage_csv(path))
            assert response.content.decode().splitlines() == rows(articles), path
    # A withdrawal is in the next CSV, cached numbers or not.
    Article.objects.filter(published_on=days[-1]).update(status=Article.Status.WITHDRAWN)
    for path, articles in lists.items():
        response = client.get(_as_coverage_csv(path))
        assert response.content.decode().splitlines() == rows(articles), path


@pytest.mark.parametrize(
    "query", [{"data": "coverage"}, {"data": "nonsense", "format": "csv"}, {"data": "coverage", "format": "json"}]
)
def test_coverage_data_is_only_offered_as_csv(client, db, query):
    assert client.get("/articles/", query).status_code == 400


def _disputed():
    japan, russia = make_actor(name="Japan", slug="japan"), make_actor(name="Russia", slug="russia")
    territory = make_territory(
        name="Kuril Islands",
        slug="kurils",
        kind=Territory.Kind.DISPUTED,
        names=[
            {"name": "Northern Territories", "used_by": japan, "preferred": True},
            {"name": "Southern Kurils", "used_by": russia, "preferred": True},
        ],
    )
    Claim.objects.create(territory=territory, claimant=japan)
    Claim.objects.create(territory=territory, claimant=russia)
    return territory


def test_who_says_what_counts_each_name_by_source_and_year(client, db):
    _disputed()
    tass, kyodo = make_source(name="TASS", slug="tass"), make_source(name="Kyodo", slug="kyodo")
    _dated(day=datetime.date(2016, 5, 1), source=kyodo, lead="Talks on the Northern Territories.")
    _dated(day=datetime.date(2017, 5, 1), source=kyodo, lead="The Northern Territories again.")
    _dated(day=datetime.date(2017, 6, 1), source=tass, lead="Visit to the Southern Kurils.")
    _dated(source=tass, lead="Undated: the Southern Kurils.")
    _dated(day=datetime.date(2017, 6, 1), source=tass, lead="Southern Kurils draft.", status=Article.Status.DRAFT)
    # "Northern" alone is not the name, and the other name is not counted with it.
    _dated(day=datetime.date(2017, 6, 1), source=tass, lead="The northern islands, or territories.")
    page = parse_page(client.get("/territories/kurils/"))
    section = next(page.find_all("section", cls="names-in-use"))
    rows = [[cell.text() for cell in row.find_all() if cell.tag in ("th", "td")] for row in section.find_all("tr")]
    assert rows[1:] == [
        ["Northern Territories", "Kyodo", "2016: 1, 2017: 1", "2"],
        ["Southern Kurils", "TASS", "2017: 1, date unknown: 1", "2"],
    ]
    charts = list(section.find_all("svg", cls="chart"))
    assert len(charts) == 2
    assert "“Southern Kurils” per year, 2016 to 2017: 2 in all" in next(charts[1].find_all("title")).text()


def test_who_says_what_is_only_on_disputed_territories(client, db):
    make_territory(slug="hokkaido", names=[{"name": "Ezo"}])
    assert b"Who says what" not in client.get("/territories/hokkaido/").content
    _disputed()
    assert b"Who says what" in client.get("/territories/kurils/").content


@pytest.mark.parametrize("value", ["a\x00b", "x" * 60_000, "ｃｏｖｅｒａｇｅ", "coverage\x00", "", "-1"])
@pytest.mark.parametrize("path", ["/articles/", "/actors/japan/"])
def test_a_garbled_data_parameter_is_a_clear_answer_never_a_500(client, db, path, value):
    make_actor(name="Japan", slug="japan")
    response = client.get(path, {"data": value, "format": "csv"})
    assert response.status_code in (200, 400, 404)
    if value:  # anything but the one known name is refused, not guessed
        assert response.status_code == 400
