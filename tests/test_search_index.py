"""The search index is current after every write path, at once."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from archive.models import Article, SearchDocument
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


def found(client, q):
    response = client.get("/articles/", {"q": q, "format": "json", "exact": "1"})
    return {row["slug"] for row in response.json()["results"]}


def test_a_new_article_is_searchable_at_once(client):
    make_article(slug="fresh", title="Zanzibar talks resume")
    assert found(client, "zanzibar") == {"fresh"}


def test_an_edit_through_save_replaces_the_old_words(client):
    article = make_article(slug="edited", title="Zanzibar talks")
    article.title = "Quixotic talks"
    article.save()
    assert found(client, "zanzibar") == set()
    assert found(client, "quixotic") == {"edited"}


def test_a_save_of_other_fields_only_keeps_the_index(client):
    article = make_article(slug="kept", title="Zanzibar talks")
    article.status = Article.Status.PUBLISHED
    article.save(update_fields=["status"])
    assert found(client, "zanzibar") == {"kept"}


def test_queryset_update_reindexes_the_rows_it_changed(client):
    make_article(slug="one", title="Zanzibar one")
    make_article(slug="two", title="Zanzibar two")
    Article.objects.filter(slug="one").update(body="A quixotic turn.")
    assert found(client, "quixotic") == {"one"}
    assert found(client, "zanzibar") == {"one", "two"}
    one = Article.objects.get(slug="one")
    assert one.content_hash == one.compute_content_hash()


def test_bulk_create_and_bulk_update_are_indexed(client):
    articles = Article.objects.bulk_create(
        [
            Article(slug=f"bulk-{i}", title=f"Bulk zanzibar {i}", status=Article.Status.PUBLISHED)
            for i in range(3)
        ]
    )
    assert found(client, "zanzibar") == {"bulk-0", "bulk-1", "bulk-2"}
    for article in articles:
        article.title = "Bulk quixotic"
    Article.objects.bulk_update(articles, ["title"])
    assert found(client, "zanzibar") == set()
    assert found(client, "quixotic") == {"bulk-0", "bulk-1", "bulk-2"}


def test_a_bulk_load_from_a_generator_is_saved_and_indexed(client):
    Article.objects.bulk_create(
        Article(slug=f"gen-{i}", title=f"Generated xylophone {i}", status=Article.Status.PUBLISHED) for i in range(2)
    )
    assert found(client, "xylophone") == {"gen-0", "gen-1"}


def test_loaddata_is_indexed(client):
    call_command("loaddata", "seed_archive", verbosity=0)
    assert SearchDocument.objects.count() == Article.objects.count() == 5
    assert found(client, "Yalta") == {"trumps-election-may-ease-japans-talks-with-russia"}


def test_status_changes_show_and_hide_an_article_at_once(client):
    article = make_article(slug="status", title="Zanzibar", status=Article.Status.DRAFT)
    assert found(client, "zanzibar") == set()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    assert found(client, "zanzibar") == {"status"}
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    assert found(client, "zanzibar") == set()


def test_a_deleted_article_leaves_the_index(client):
    article = make_article(slug="gone", title="Zanzibar")
    article.delete()
    assert found(client, "zanzibar") == set()
    assert not SearchDocument.objects.exists()


def test_an_admin_edit_is_searchable_at_once(client):
    make_article(slug="by-admin", title="Zanzibar", status=Article.Status.DRAFT)
    editor = User.objects.create_user("ed", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    article = Article.objects.get(slug="by-admin")
    response = client.post(
        f"/admin/archive/article/{article.pk}/change/",
        {
            "title": "Quixotic",
            "lead": "",
            "body": "",
            "byline": "",
            "dateline": "",
            "date_precision": "unknown",
            "canonical_url": "",
            "print_page": "",
            "language": "en",
            "status": "published",
            "editors_note": "",
            "version": article.version,
        },
    )
    assert response.status_code == 302, response.content
    client.logout()
    assert found(client, "quixotic") == {"by-admin"}


def test_the_admin_search_uses_the_archive_search(client):
    make_article(slug="draft-negotiations", title="Negotiations", status=Article.Status.DRAFT)
    editor = User.objects.create_user("ed", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get("/admin/archive/article/", {"q": "negotiating"})
    assert [a.slug for a in response.context["cl"].result_list] == ["draft-negotiations"]
    odd = client.get("/admin/archive/article/", {"q": '"unbalanced -'})
    assert odd.status_code == 200


def test_a_bulk_load_is_searchable_at_once_with_every_field_indexed(client):
    Article.objects.bulk_create(
        [
            Article(slug=f"load-{i}", title=f"Load {i}", lead="Zanzibar talks.", byline="Quixotic Writer",
                    body="First.\n\nThe wharves of Mombasa.", status=Article.Status.PUBLISHED)
            for i in range(620)
        ]
    )  # fmt: skip
    assert SearchDocument.objects.count() == 620
    for word in ("zanzibar", "mombasa", "quixotic", "load"):
        response = client.get("/articles/", {"q": word, "format": "json", "exact": "1"})
        assert response.json()["count"] == 620, word
    one = Article.objects.get(slug="load-7")
    assert one.content_hash == one.compute_content_hash()
    assert (one.search_document.title, one.search_document.body) == ("load 7", "first the wharv of mombasa")


def test_a_bulk_load_that_fails_to_index_leaves_no_articles_behind(monkeypatch):
    from archive.search import index

    def failing(article):
        raise RuntimeError("indexing failed")

    monkeypatch.setattr(index, "search_document", failing)
    with pytest.raises(RuntimeError):
        Article.objects.bulk_create([Article(slug="orphan", title="Orphan", status=Article.Status.PUBLISHED)])
    assert not Article.objects.filter(slug="orphan").exists()


def test_bulk_create_with_conflicts_allowed_rewrites_existing_documents(client):
    article = make_article(slug="kept", title="Zanzibar")
    Article.objects.bulk_create(
        [Article(pk=article.pk, slug="kept", title="Quixotic", status=Article.Status.PUBLISHED)],
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=["title"],
    )
    assert found(client, "quixotic") == {"kept"}
    assert found(client, "zanzibar") == set()


def test_a_prefix_finds_new_words_from_every_write_path(client):
    # On SQLite a prefix is expanded into the index's list of words, which every write
    # path must add to as it indexes.
    article = make_article(slug="saved", title="Zanzibari talks")
    Article.objects.bulk_create([Article(slug="bulk", title="Zanzibarian talks", status=Article.Status.PUBLISHED)])
    Article.objects.filter(slug="saved").update(lead="A quixotically long lead.")
    article.refresh_from_db()
    article.body = "Xylographic envoys."
    Article.objects.bulk_update([article], ["body"])
    assert found(client, "zanzib*") == {"saved", "bulk"}
    assert found(client, "quixot*") == {"saved"}
    assert found(client, "xylograph*") == {"saved"}


def test_a_soft_hyphen_leaves_a_word_whole_in_the_index_and_in_its_highlight(client):
    # Web pages carry soft hyphens (&shy;) where a publisher's system put them.
    article = make_article(title="Talks in Zanzi\u00adbar", lead="The Zanzi\u00adbar talks resumed.")
    assert found(client, "zanzibar") == {article.slug}
    assert found(client, "zanzi") == set() and found(client, '"talks in zanzibar"') == {article.slug}
    data = client.get("/articles/", {"q": "zanzibar", "format": "json"}).json()["results"][0]
    assert "<mark>Zanzi\u00adbar</mark>" in data["snippet"]


def test_the_migration_rewrites_the_documents_that_soft_hyphens_split(client):
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    migration = importlib.import_module("archive.migrations.0011_reindex_soft_hyphens")
    split = make_article(title="Talks in Zanzi\u00adbar")
    plain = make_article(title="Talks in Zanzibar")
    # As written before soft hyphens were dropped: two words.
    SearchDocument.objects.filter(article=split).update(title="talk in zanzi bar")
    assert found(client, "zanzibar") == {plain.slug}
    migration.reindex(None, SimpleNamespace(connection=connection))  # all it reads of the editor
    assert found(client, "zanzibar") == {plain.slug, split.slug}
