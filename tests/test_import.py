"""Importing raw articles: drafts that match the seed archive, duplicates, bad files."""

import datetime
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from archive.ingest.importer import Importer
from archive.models import Actor, Article, SearchDocument, Source, TagSuggestion, Territory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "seed_archive.json"
SEED_SLUGS = {
    "000": "japanese-pm-trump-approves-japans-outreach-to-russia",
    "001": "japans-abe-has-one-thing-in-common-with-trump",
    "002": "abe-tells-obama-he-intends-to-continue-dialogue-with-russia",
    "003": "trumps-election-may-ease-japans-talks-with-russia",
    "004": "russia-looking-for-stronger-economic-relations-with-japan",
}


@pytest.fixture
def reference_data(db):
    """The seed archive's sources, actors and territories, without its articles."""
    call_command("loaddata", "seed_archive", verbosity=0)
    fixture = {
        row["fields"]["slug"]: row for row in json.loads(FIXTURE.read_text()) if row["model"] == "archive.article"
    }
    tags = {
        slug: (
            set(Article.objects.get(slug=slug).actors.values_list("pk", flat=True)),
            set(Article.objects.get(slug=slug).territories.values_list("pk", flat=True)),
        )
        for slug in fixture
    }
    Article.objects.all().delete()
    return fixture, tags


def _import(*paths, **options):
    out, err = StringIO(), StringIO()
    call_command("import_articles", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue()


def test_the_seeds_import_as_drafts_matching_the_seed_archive(reference_data):
    fixture, tags = reference_data
    output = _import(SEEDS)
    assert "Done: 5 imported, 0 updated, 0 duplicate, 0 failed." in output
    imported = list(Article.objects.all())
    assert len(imported) == 5
    assert {a.status for a in imported} == {Article.Status.DRAFT}
    for number, slug in SEED_SLUGS.items():
        expected = fixture[slug]["fields"]
        article = Article.objects.get(content_hash=expected["content_hash"]) if number != "003" else None
        if number == "003":  # no headline in the text: the importer titles it and says so
            article = Article.objects.get(lead=expected["lead"])
            assert "headline" in article.editors_note
        else:
            assert article.title == expected["title"]
        assert (article.lead, article.body) == (expected["lead"], expected["body"])
        assert article.byline == expected["byline"]
        assert article.dateline == expected["dateline"]
    yomiuri = Article.objects.get(lead=fixture[SEED_SLUGS["002"]]["fields"]["lead"])
    assert (str(yomiuri.published_on), yomiuri.date_precision, yomiuri.print_page) == ("2015-05-16", "day", "2")
    assert yomiuri.source.slug == "the-yomiuri-shimbun"
    japan_news = Article.objects.get(lead=fixture[SEED_SLUGS["004"]]["fields"]["lead"])
    assert japan_news.source.slug == "the-japan-news"


def test_imported_seeds_suggest_the_tags_the_seed_archive_carries(reference_data):
    fixture, tags = reference_data
    _import(SEEDS)
    for slug, (actors, territories) in tags.items():
        article = Article.objects.get(lead=fixture[slug]["fields"]["lead"])
        suggested = article.suggestions.all()
        missing_actors = actors - {s.actor_id for s in suggested if s.actor_id}
        missing_territories = territories - {s.territory_id for s in suggested if s.territory_id}
        assert not missing_actors, (slug, missing_actors)
        if slug == SEED_SLUGS["000"]:
            # The text never names the islands ("a few small islands"); an editor tagged them.
            assert missing_territories == {Territory.objects.get(slug="northern-territories").pk}
        else:
            assert not missing_territories, (slug, missing_territories)


def test_importing_twice_reports_duplicates_and_changes_nothing(reference_data):
    _import(SEEDS)
    counts = (Article.objects.count(), TagSuggestion.objects.count(), Source.objects.count())
    output = _import(SEEDS)
    assert "Done: 0 imported, 0 updated, 5 duplicate, 0 failed." in output
    assert (Article.objects.count(), TagSuggestion.objects.count(), Source.objects.count()) == counts


def test_update_refreshes_an_article_instead_of_skipping_it(reference_data, tmp_path):
    shutil.copy(SEEDS / "000_12e87cad493f3aed.txt", tmp_path / "a.txt")
    _import(tmp_path)
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(title="Edited by hand")
    output = _import(tmp_path, update=True)
    assert "Done: 0 imported, 1 updated" in output
    assert Article.objects.get().title == "Japanese PM: Trump Approves Japan's Outreach To Russia"


def test_publish_and_source_options(reference_data, tmp_path):
    shutil.copy(SEEDS / "001_bcaaf4654188c388.txt", tmp_path / "a.txt")
    _import(tmp_path, publish=True, source="the-japan-news")
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.source.slug == "the-japan-news"


def test_an_unknown_source_slug_is_a_clear_error(reference_data):
    with pytest.raises(CommandError, match="No source with the slug"):
        _import(SEEDS, source="nope")


def test_bad_files_are_reported_and_the_run_goes_on(reference_data, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"   \n\n  ")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (tmp_path / "huge.txt").write_bytes(b"word " * (1_300_000))
    shutil.copy(SEEDS / "002_0ad484827421e4c7.txt", tmp_path / "good.txt")
    out = StringIO()
    with pytest.raises(CommandError, match="4 of 5 files could not be imported"):
        call_command("import_articles", str(tmp_path), stdout=out, stderr=StringIO())
    output = out.getvalue()
    assert "Done: 1 imported, 0 updated, 0 duplicate, 4 failed." in output
    for name in ("empty.txt", "blank.txt", "binary.txt", "huge.txt"):
        line = next(line for line in output.splitlines() if name in line)
        assert line.startswith("failed")
    assert "too large" in output
    assert Article.objects.count() == 1


def test_a_failure_while_saving_leaves_nothing_behind(reference_data, monkeypatch):
    def explode(article, table=None):
        raise RuntimeError("the scanner broke")

    monkeypatch.setattr("archive.ingest.importer.suggest_tags", explode)
    with pytest.raises(RuntimeError):
        Importer().import_path(SEEDS / "002_0ad484827421e4c7.txt")
    assert not Article.objects.exists()
    assert not SearchDocument.objects.exists()
    assert not TagSuggestion.objects.exists()


def test_a_missing_path_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Not found"):
        _import("/no/such/file.txt")


def test_imported_articles_are_searchable_once_published(reference_data, client):
    _import(SEEDS, publish=True)
    response = client.get("/articles/", {"q": "Yalta", "format": "json"})
    assert response.json()["count"] == 1


def test_html_pages_import_cleanly(reference_data):
    pages = sorted((DATA / "html").glob("*.html"))
    assert pages
    _import(*pages)
    assert Article.objects.count() == len(pages)
    for article in Article.objects.all():
        text = f"{article.title} {article.lead} {article.body}".lower()
        assert "<script" not in text and "cookie" not in text and "subscribe" not in text


@pytest.fixture
def editor(db):
    user = User.objects.create_user("ed", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_editors_can_import_by_upload_in_the_admin(reference_data, client, editor):
    client.force_login(editor)
    assert client.get("/admin/archive/article/import/").status_code == 200
    uploads = [
        SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/plain") for path in sorted(SEEDS.iterdir())
    ]
    uploads.append(SimpleUploadedFile("broken.txt", b"\x00\x00\x00", content_type="text/plain"))
    response = client.post("/admin/archive/article/import/", {"files": uploads})
    assert response.status_code == 200
    statuses = [result.status for result in response.context["results"]]
    assert statuses.count("imported") == 5 and statuses.count("failed") == 1
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 5


def test_an_editor_accepts_and_rejects_suggestions_in_one_click(reference_data, client, editor):
    _import(SEEDS / "004_74a3a5299abf2617.txt")
    article = Article.objects.get()
    client.force_login(editor)
    page = client.get(f"/admin/archive/article/{article.pk}/change/")
    assert page.status_code == 200
    putin = article.suggestions.get(actor__slug="vladimir-putin")
    g7 = article.suggestions.get(actor__slug="g7")
    assert f'value="accept:{putin.pk}"' in page.content.decode()

    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name not in ("actors", "territories")}
    data["_suggestion"] = f"accept:{putin.pk}"
    response = client.post(f"/admin/archive/article/{article.pk}/change/", data)
    assert response.status_code == 302
    assert list(article.actors.values_list("slug", flat=True)) == ["vladimir-putin"]

    # Each click reloads the page, and with it the article's new version.
    data["actors"] = [Actor.objects.get(slug="vladimir-putin").pk]
    data["_suggestion"] = f"reject:{g7.pk}"
    data["version"] = Article.objects.get(pk=article.pk).version
    client.post(f"/admin/archive/article/{article.pk}/change/", data)
    g7.refresh_from_db()
    assert g7.status == TagSuggestion.Status.REJECTED

    data["_suggestion"] = "accept:all"
    data["version"] = Article.objects.get(pk=article.pk).version
    client.post(f"/admin/archive/article/{article.pk}/change/", data)
    assert not article.suggestions.filter(status=TagSuggestion.Status.PENDING).exists()
    assert "g7" not in set(article.actors.values_list("slug", flat=True))


def test_accept_all_suggestions_for_selected_articles(reference_data, client, editor):
    _import(SEEDS)
    client.force_login(editor)
    ids = list(Article.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/archive/article/", {"action": "accept_suggestions", "_selected_action": ids}, follow=True
    )
    assert response.status_code == 200
    assert not TagSuggestion.objects.filter(status=TagSuggestion.Status.PENDING).exists()
    assert Article.objects.get(lead__startswith="Russian President Vladimir Putin intends").actors.count() >= 5


def test_a_title_in_another_script_keeps_its_letters_in_the_address(db, client):
    _import(DATA / "html" / "vestnik_russian.html", publish=True)
    article = Article.objects.get()
    assert article.slug.startswith("россия-и-япония")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.get_absolute_url() in client.get("/articles/").content.decode()


@pytest.mark.parametrize("days_ahead, kept", [(1, True), (2, False), (50_000, False)])
def test_a_date_still_to_come_is_not_an_articles_date(db, days_ahead, kept):
    from tests.test_extract import _page_with

    day = datetime.date.today() + datetime.timedelta(days=days_ahead)
    page = _page_with(f'<meta property="article:published_time" content="{day.isoformat()}">')
    article = Importer(publish=True).import_bytes(page, "page.html").article
    assert article.published_on == (day if kept else None)
    assert article.date_precision == ("day" if kept else "unknown")
    assert (f"The text dates it {day.isoformat()}, which is still to come" in article.editors_note) != kept
