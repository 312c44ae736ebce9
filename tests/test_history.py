"""An article's history: every change, tags included, from every write path, with who,
when, how and what (old → new), shown on the article's change page.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from archive.models import Article, ArticleRevision, TagSuggestion
from tests.conftest import load_change_form, make_actor, make_article, make_territory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/archive/article/"
SEED = Path(__file__).parent / "data" / "seeds" / "004_74a3a5299abf2617.txt"


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user("alice", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


@pytest.fixture
def article():
    return make_article(title="Talks resume", status=Article.Status.DRAFT, actors=[make_actor(name="Japan")])


def _url(article):
    return f"/admin/archive/article/{article.pk}/change/"


def _only_revision(article):
    [revision] = ArticleRevision.objects.filter(article=article)
    return revision


def test_an_admin_form_save_records_fields_and_tags_added_and_removed(editor_client, article):
    russia = make_actor(name="Russia")
    kurils = make_territory(name="Kuril Islands")
    data = load_change_form(
        editor_client, article, title="Talks resume in Moscow", actors=[russia.pk], territories=[kurils.pk]
    )
    assert editor_client.post(_url(article), data).status_code == 302

    revision = _only_revision(article)
    assert (revision.who, revision.user.username, revision.via) == ("alice", "alice", "admin form")
    assert revision.changes == {
        "fields": {"title": ["Talks resume", "Talks resume in Moscow"]},
        "actors": {"added": ["Russia"], "removed": ["Japan"]},
        "territories": {"added": ["Kuril Islands"], "removed": []},
    }


def test_a_save_that_changes_nothing_records_nothing(editor_client, article):
    editor_client.post(_url(article), load_change_form(editor_client, article))
    assert not ArticleRevision.objects.exists()


def test_adding_an_article_in_the_admin_records_its_creation(editor_client):
    japan = make_actor(name="Japan")
    data = {
        "title": "A new article",
        "slug": "a-new-article",
        "lead": "",
        "body": "",
        "byline": "",
        "dateline": "",
        "source": "",
        "published_on": "",
        "date_precision": "unknown",
        "canonical_url": "",
        "print_page": "",
        "language": "en",
        "status": "draft",
        "editors_note": "",
        "actors": [japan.pk],
        "territories": [],
        "version": "",
        "_save": "Save",
    }
    assert editor_client.post("/admin/archive/article/add/", data).status_code == 302
    revision = _only_revision(Article.objects.get(slug="a-new-article"))
    assert revision.changes["created"] is True
    assert revision.changes["fields"]["title"] == [None, "A new article"]
    assert revision.changes["actors"] == {"added": ["Japan"], "removed": []}


def test_the_suggested_tag_buttons_record_the_tag_they_add(editor_client, article):
    putin = make_actor(name="Vladimir Putin", kind="person")
    suggestion = TagSuggestion.objects.create(article=article, actor=putin, names=[{"name": "Putin", "count": 2}])
    data = load_change_form(editor_client, article, _suggestion=f"accept:{suggestion.pk}")
    assert editor_client.post(_url(article), data).status_code == 302
    revision = _only_revision(article)
    assert revision.via == "admin form: accept suggested tag"
    assert revision.changes == {"actors": {"added": ["Vladimir Putin"], "removed": []}}


@pytest.mark.parametrize(
    "action, status", [("publish", Article.Status.PUBLISHED), ("withdraw", Article.Status.WITHDRAWN)]
)
def test_publishing_and_withdrawing_in_bulk_are_recorded(editor_client, article, action, status):
    other = make_article(status=status)  # already so: nothing to record
    editor_client.post(CHANGELIST, {"action": action, "_selected_action": [article.pk, other.pk], "index": 0})
    revision = _only_revision(article)
    assert revision.via == f"bulk action: {action}"
    assert revision.changes == {"fields": {"status": ["draft", status]}}
    assert not ArticleRevision.objects.filter(article=other).exists()
    article.refresh_from_db()
    assert article.version == 2


def test_adding_an_actor_and_a_territory_in_bulk_are_recorded(editor_client, article):
    russia, kurils = make_actor(name="Russia"), make_territory(name="Kuril Islands")
    for action, tag in [("add_actor", russia), ("add_territory", kurils)]:
        data = {"action": action, "_selected_action": [article.pk], "apply": "yes", "tag": tag.pk}
        editor_client.post(CHANGELIST, data)
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("pk"))
    assert [(r.via, r.changes) for r in revisions] == [
        ("bulk action: add_actor", {"actors": {"added": ["Russia"], "removed": []}}),
        ("bulk action: add_territory", {"territories": {"added": ["Kuril Islands"], "removed": []}}),
    ]


def test_accepting_suggestions_in_bulk_is_recorded(editor_client, article):
    russia, kurils = make_actor(name="Russia"), make_territory(name="Kuril Islands")
    TagSuggestion.objects.create(article=article, actor=russia)
    TagSuggestion.objects.create(article=article, territory=kurils)
    editor_client.post(CHANGELIST, {"action": "accept_suggestions", "_selected_action": [article.pk], "index": 0})
    assert _only_revision(article).changes == {
        "actors": {"added": ["Russia"], "removed": []},
        "territories": {"added": ["Kuril Islands"], "removed": []},
    }


def test_accepting_from_the_suggestion_queue_is_recorded(editor_client, article):
    russia = make_actor(name="Russia")
    suggestion = TagSuggestion.objects.create(article=article, actor=russia)
    editor_client.post(
        "/admin/archive/tagsuggestion/", {"action": "accept", "_selected_action": [suggestion.pk], "index": 0}
    )
    revision = _only_revision(article)
    assert (revision.who, revision.changes) == ("alice", {"actors": {"added": ["Russia"], "removed": []}})


def test_an_import_is_recorded_as_the_import_of_its_file_and_an_update_field_by_field(seed_archive):
    Article.objects.all().delete()
    call_command("import_articles", str(SEED), stdout=StringIO())
    article = Article.objects.get()
    revision = _only_revision(article)
    assert (revision.who, revision.user, revision.via) == ("import", None, f"import of {SEED.name}")
    assert revision.changes["created"] is True
    assert revision.changes["fields"]["status"] == [None, "draft"]

    Article.objects.filter(pk=article.pk).update(title="Edited by an editor")
    call_command("import_articles", str(SEED), "--update", stdout=StringIO())
    latest = ArticleRevision.objects.filter(article=article).first()
    assert latest.changes["fields"]["title"] == ["Edited by an editor", article.title]
    article.refresh_from_db()
    assert article.version == 2


def test_an_admin_upload_is_recorded_with_the_editor(seed_archive, editor_client):
    Article.objects.all().delete()
    upload = SimpleUploadedFile("report.txt", SEED.read_bytes(), content_type="text/plain")
    editor_client.post("/admin/archive/article/import/", {"files": [upload]})
    revision = _only_revision(Article.objects.get())
    assert (revision.who, revision.via) == ("alice", "admin upload of report.txt")


def test_editors_see_the_history_on_the_change_page(editor_client, article):
    russia = make_actor(name="Russia")
    editor_client.post(_url(article), load_change_form(editor_client, article, title="New <title>", actors=[russia.pk]))
    page = editor_client.get(_url(article)).content.decode()
    assert ">History</h2>" in page
    assert "<td>alice</td><td>admin form</td>" in page
    assert "Title: “Talks resume” → “New &lt;title&gt;”" in page
    assert "Actors: + Russia, − Japan" in page


def test_the_history_is_empty_until_something_changes(editor_client, article):
    assert "No changes recorded yet." in editor_client.get(_url(article)).content.decode()
