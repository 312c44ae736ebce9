"""The benchmark command measures every request type and writes its figures."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_the_benchmark_reports_every_request_with_its_floor(tmp_path):
    call_command("generate_corpus", articles=400, sources=5, actors=20, territories=10, stdout=StringIO(), verbosity=0)
    out = StringIO()
    call_command("benchmark", runs=2, warmup=0, json=str(tmp_path / "figures.json"), stdout=out)
    table = out.getvalue()
    assert "| request | p50 ms | p95 ms | p99 ms | queries | SQL floor p50 ms |" in table
    figures = json.loads((tmp_path / "figures.json").read_text())
    names = {r["request"] for r in figures["results"]}
    for expected in ("home", "list", "actor + dates", "phrase", "two words AND", "two words OR", "search with facets",
                     "list page 2,000", "article page", "CSV export"):  # fmt: skip
        assert expected in names
    assert any(name.startswith("search ") and name.endswith("relevance") for name in names)
    for result in figures["results"]:
        assert result["p50_ms"] > 0 and result["queries"] > 0 and result["sql_floor_p50_ms"] >= 0
    assert any("naive_p50_ms" in r for r in figures["results"])


def test_the_benchmark_refuses_an_empty_archive(tmp_path):
    with pytest.raises(CommandError, match="generate_corpus"):
        call_command("benchmark", runs=1, json=str(tmp_path / "x.json"), stdout=StringIO())
