"""The synthetic archive for benchmarks: reproducible, realistic in shape, searchable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from archive.models import Article, ArticleActor, SearchDocument
from archive.search.backends import backend_for
from archive.search.text import term_string

pytestmark = pytest.mark.django_db


def _generate(**options):
    call_command("generate_corpus", stdout=StringIO(), verbosity=0, **options)


def test_the_corpus_is_written_with_its_search_index_and_tags(client):
    _generate(articles=300, sources=5, actors=20, territories=10, batch=120)
    assert Article.objects.count() == SearchDocument.objects.count() == 300
    for article in Article.objects.order_by("pk")[:25]:
        document = article.search_document
        assert (document.title, document.lead, document.body, document.byline) == tuple(
            term_string(getattr(article, field)) for field in ("title", "lead", "body", "byline")
        )
        assert article.content_hash == article.compute_content_hash()
        assert 1 <= article.actors.count() <= 5
    drafts = Article.objects.filter(status="draft").count()
    assert 0 < drafts < 30
    lengths = sorted(len(a.body.split()) for a in Article.objects.all())
    assert 250 < lengths[len(lengths) // 2] < 700  # around 450 words, long-tailed
    # Searchable at once, through the normal search.
    word = Article.objects.filter(status="published").first().lead.split()[3]
    response = client.get("/articles/", {"q": word, "format": "json", "exact": "1"})
    assert response.json()["count"] > 0
    # A prefix too: on SQLite, from the list of words the load fills.
    prefix = next(w for w in term_string(Article.objects.filter(status="published").first().body).split() if len(w) > 4)
    if connection.vendor == "sqlite":
        assert prefix in backend_for().completions(prefix[:4])
    response = client.get("/articles/", {"q": prefix[:4] + "*", "format": "json", "exact": "1"})
    assert response.json()["count"] > 0


def test_the_same_seed_gives_the_same_archive():
    _generate(articles=30, sources=3, actors=5, territories=3, seed=7)
    first = list(Article.objects.order_by("pk").values_list("title", "published_on", "status"))
    links = ArticleActor.objects.count()
    Article.objects.all().delete()
    _generate(articles=30, sources=3, actors=5, territories=3, seed=7)
    assert list(Article.objects.order_by("pk").values_list("title", "published_on", "status")) == first
    assert ArticleActor.objects.count() == links


def test_a_second_run_adds_to_the_archive():
    _generate(articles=20, sources=2, actors=3, territories=2, seed=1)
    _generate(articles=20, sources=2, actors=3, territories=2, seed=2)
    assert Article.objects.count() == SearchDocument.objects.count() == 40
    new = Article.objects.create(title="After the load", slug="after-the-load", lead="Zanzibar.")
    assert new.search_document.lead == "zanzibar"


def test_a_bad_size_is_a_clear_error():
    with pytest.raises(CommandError, match="at least 1"):
        _generate(articles=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM and the visibility map are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_load_is_vacuumed_so_that_index_only_scans_work():
    _generate(articles=200, sources=2, actors=3, territories=2)
    with connection.cursor() as cursor:
        # VACUUM marks the new pages all-visible; ANALYZE alone would leave this at 0.
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'archive_articleactor'")
        assert cursor.fetchone()[0] > 0
