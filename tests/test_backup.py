"""Nothing lost: the archive exported and restored whole, and an import cut off half-way
leaving no half-imported article behind.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from archive import history
from archive.ingest import importer
from archive.ingest.tagging import suggest_tags
from archive.models import Actor, Article, ArticleRevision, SearchDocument, Source, TagSuggestion, Territory
from tests.conftest import listed_titles, make_article

ROOT = Path(__file__).resolve().parent.parent


def _flush():
    """Empty the database, as `manage.py flush` would before a restore."""
    if connection.vendor == "postgresql":
        # The test's rows are inside its transaction, their foreign key checks deferred to
        # its end; PostgreSQL will not TRUNCATE tables with checks pending, so run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)


def _export(path):
    call_command("export_archive", str(path), stdout=StringIO())
    return path.read_bytes()


def _rows(values):
    """Sorted rows, None (a suggestion's other target, a name nobody uses) sorting first."""
    return sorted(tuple("" if value is None else value for value in row) for row in values)


def _state():
    """What readers and editors would notice if a restore got something wrong."""
    articles = Article.objects.select_related("source")
    return {
        "articles": _rows(
            (a.slug, a.status, a.title, a.version, a.source.slug if a.source else None,
             tuple(a.actors.values_list("slug", flat=True)), tuple(a.territories.values_list("slug", flat=True)))
            for a in articles
        ),
        "territory names": _rows(Territory.objects.values_list("slug", "names__name", "names__used_by__slug")),
        "claims": _rows(Territory.objects.values_list("slug", "claims__claimant__slug")),
        "actor names": _rows(Actor.objects.values_list("slug", "names__name")),
        "suggestions": _rows(
            TagSuggestion.objects.values_list("article__slug", "actor__slug", "territory__slug", "status")
        ),
        "revisions": _rows(ArticleRevision.objects.values_list("article__slug", "who", "via", "changes")),
    }  # fmt: skip


@pytest.fixture
def populated(seed_archive):
    """The seed archive, with what the seed lacks: drafts, withdrawals, suggestions, history."""
    for article in Article.objects.all():
        suggest_tags(article)
    TagSuggestion.objects.filter(pk=TagSuggestion.objects.order_by("pk").first().pk).update(status="rejected")
    withdrawn = Article.objects.order_by("slug").first()
    with history.recording([withdrawn.pk], via="bulk action: withdraw"):
        Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.WITHDRAWN)
    # An outlet's edition, listed before the paper it belongs to: a reference forward.
    paper = Source.objects.create(name="Zeitung", slug="zeitung")
    Source.objects.create(name="Zeitung English edition", slug="a-zeitung-english", parent=paper)
    make_article(slug="a-draft", title="A draft about Etorofu", status=Article.Status.DRAFT)


@pytest.mark.django_db
def test_an_export_restored_into_an_empty_database_exports_identically(populated, tmp_path, client):
    before = _state()
    found_before = listed_titles(client.get("/articles/", {"q": "Putin"}))
    first = _export(tmp_path / "first.json")
    assert json.loads(first)  # one JSON document, as loaddata and json.load read it

    _flush()
    try:
        assert not Article.objects.exists() and not Actor.objects.exists()
        out = StringIO()
        call_command("restore_archive", str(tmp_path / "first.json"), stdout=out)
        assert "Restored 6 articles; the search index is rebuilt." in out.getvalue()

        assert _state() == before
        assert SearchDocument.objects.count() == Article.objects.count() == 6
        assert listed_titles(client.get("/articles/", {"q": "Putin"})) == found_before != []
        assert _export(tmp_path / "second.json") == first
    finally:
        ContentType.objects.clear_cache()  # flush emptied the table the cache mirrors


@pytest.mark.django_db
def test_restoring_into_a_database_with_articles_is_refused(populated, tmp_path):
    _export(tmp_path / "archive.json")
    with pytest.raises(CommandError, match="already holds 6 articles: restore_archive loads into an empty"):
        call_command("restore_archive", str(tmp_path / "archive.json"))
    assert Article.objects.count() == 6


@pytest.mark.django_db
def test_a_broken_file_restores_nothing(populated, tmp_path):
    lines = _export(tmp_path / "archive.json").decode().splitlines()
    broken = tmp_path / "broken.json"
    broken.write_text("\n".join(lines[:-4] + ['{"model": "archive.article", "fields": {'] + lines[-4:]))
    _flush()
    try:
        with pytest.raises(CommandError, match="is not an export_archive file: line"):
            call_command("restore_archive", str(broken))
        assert not Actor.objects.exists()  # all or nothing: the rows before the bad line are gone too
    finally:
        ContentType.objects.clear_cache()


def test_exporting_to_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such folder"):
        call_command("export_archive", str(tmp_path / "missing" / "archive.json"))


# --- An import cut off half-way ------------------------------------------------------------

FILES = 100


def _write_articles(folder, files=FILES):
    folder.mkdir()
    for n in range(files):
        (folder / f"{n:03d}.txt").write_text(
            f"Japan and Russia hold round {n} of talks\n\n"
            f"MOSCOW -- Negotiators from Japan and Russia met for round {n} of talks on the Kuril "
            f"Islands, which Japan calls the Northern Territories, and Vladimir Putin spoke of number {n}.\n\n"
            f"Round {n} ended without agreement, officials of both sides said after the meeting.\n",
            encoding="utf-8",
        )


def _manage(env, *args, **kwargs):
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, **kwargs)


def _consistency(db):
    """(imported articles, articles missing their search document, suggestions or history)."""
    with sqlite3.connect(db, timeout=30) as conn:
        imported = "SELECT id FROM archive_article WHERE editors_note LIKE 'Imported automatically.%'"
        count = conn.execute(f"SELECT count(*) FROM ({imported})").fetchone()[0]
        incomplete = conn.execute(
            f"SELECT count(*) FROM ({imported}) a WHERE "
            "NOT EXISTS (SELECT 1 FROM archive_searchdocument d WHERE d.article_id = a.id) OR "
            "NOT EXISTS (SELECT 1 FROM archive_tagsuggestion s WHERE s.article_id = a.id) OR "
            "NOT EXISTS (SELECT 1 FROM archive_articlerevision r WHERE r.article_id = a.id)"
        ).fetchone()[0]
        hashes = conn.execute("SELECT count(DISTINCT content_hash) FROM archive_article").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM archive_article").fetchone()[0]
    assert hashes == total, "the same story twice"
    return count, incomplete


def _imported(db):
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute(
                "SELECT count(*) FROM archive_article WHERE editors_note LIKE 'Imported automatically.%'"
            ).fetchone()[0]
    except sqlite3.OperationalError:  # locked by the import's commit: ask again
        return 0


def test_an_import_killed_half_way_leaves_whole_articles_and_finishes_on_a_second_run(tmp_path):
    db = tmp_path / "archive.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    assert _manage(env, "migrate", "-v0").wait(timeout=120) == 0
    assert _manage(env, "loaddata", "seed_archive", "-v0").wait(timeout=120) == 0
    folder = tmp_path / "incoming"
    _write_articles(folder)

    run = _manage(env, "import_articles", str(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _imported(db) < 3 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)

    count, incomplete = _consistency(db)
    assert 0 < count < FILES, "the import was not cut off half-way"
    assert incomplete == 0

    rerun = _manage(env, "import_articles", str(folder), stdout=subprocess.PIPE, text=True)
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0
    assert f"Done: {FILES - count} imported, 0 updated, {count} duplicate, 0 failed." in output
    assert _consistency(db) == (FILES, 0)


@pytest.mark.django_db
def test_an_import_failing_inside_a_files_transaction_leaves_nothing_of_that_file(seed_archive, tmp_path, monkeypatch):
    folder = tmp_path / "incoming"
    _write_articles(folder, 20)
    real = importer.suggest_tags
    calls = []

    def fail_on_the_fifth(article, table=None):
        calls.append(article.pk)
        if len(calls) == 5:
            raise RuntimeError("cut off")
        return real(article, table)

    monkeypatch.setattr(importer, "suggest_tags", fail_on_the_fifth)
    with pytest.raises(RuntimeError, match="cut off"):
        call_command("import_articles", str(folder), stdout=StringIO())
    imported = Article.objects.filter(editors_note__startswith="Imported automatically.")
    assert imported.count() == 4  # the fifth was saved, then rolled back with its file
    assert not Article.objects.filter(pk=calls[-1]).exists()
    for article in imported:
        assert SearchDocument.objects.filter(article=article).exists()
        assert article.suggestions.exists() and article.revisions.exists()

    monkeypatch.setattr(importer, "suggest_tags", real)
    out = StringIO()
    call_command("import_articles", str(folder), stdout=out)
    assert "Done: 16 imported, 0 updated, 4 duplicate, 0 failed." in out.getvalue()
    assert imported.all().count() == 20
