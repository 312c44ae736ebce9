"""The benchmark command measures every request type and writes its figures."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, SearchDocument

pytestmark = pytest.mark.django_db


def test_the_benchmark_reports_every_request_with_its_floor(tmp_path):
    call_command("generate_corpus", articles=400, sources=5, actors=20, territories=10, stdout=StringIO(), verbosity=0)
    out = StringIO()
    call_command("benchmark", runs=2, warmup=0, ingest=0, json=str(tmp_path / "figures.json"), stdout=out)
    table = out.getvalue()
    assert (
        "| request | p50 | p95 | p99 | queries | SQL in page p50 | SQL floor p50 | SQL ÷ floor "
        "| naive p50 | naive ÷ p50 |" in table
    )
    assert "Ingest" not in table
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert "ingest" not in figures
    names = {r["request"] for r in figures["results"]}
    for expected in ("home", "list", "actor + dates", "phrase", "two words AND", "two words OR", "search with facets",
                     "list page 2,000", "article page", "CSV export"):  # fmt: skip
        assert expected in names
    assert any(name.startswith("search ") and name.endswith("relevance") for name in names)
    for result in figures["results"]:
        assert result["p50_ms"] > 0 and result["queries"] > 0 and result["sql_floor_p50_ms"] >= 0
        # Time in SQL is part of the page's time, and it is measured, not rounded away.
        assert 0 < result["sql_in_page_p50_ms"] < result["p99_ms"]
    assert any("naive_p50_ms" in r for r in figures["results"])
    # Every row of the table has every column.
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(figures["results"]) + 1
    assert {row.count("|") for row in rows} == {11}
    # How fast the machine ran Python before and after, to compare runs by.
    cpu = figures["cpu_reference_ms"]
    assert cpu["before"] > 0 and cpu["after"] > 0
    assert f"{cpu['before']:.0f} ms before the pages, {cpu['after']:.0f} ms after" in table


def test_the_benchmark_measures_ingest_and_leaves_the_archive_as_it_was(tmp_path):
    call_command("generate_corpus", articles=150, sources=3, actors=5, territories=3, stdout=StringIO(), verbosity=0)
    before = (Article.objects.count(), SearchDocument.objects.count())
    out = StringIO()
    call_command("benchmark", runs=1, warmup=0, ingest=40, json=str(tmp_path / "figures.json"), stdout=out)
    ingest = json.loads((tmp_path / "figures.json").read_text())["ingest"]
    assert ingest["articles"] == 40 and ingest["articles_per_s"] > 0
    assert 250 < ingest["words"] < 900  # articles like the corpus's, not stubs
    assert f"Ingest: {ingest['articles_per_s']:,} articles/s" in out.getvalue()
    assert (Article.objects.count(), SearchDocument.objects.count()) == before
    assert not Article.objects.filter(slug__startswith="benchmark-ingest-").exists()


def test_the_benchmark_refuses_an_empty_archive(tmp_path):
    with pytest.raises(CommandError, match="generate_corpus"):
        call_command("benchmark", runs=1, json=str(tmp_path / "x.json"), stdout=StringIO())
