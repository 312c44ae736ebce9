"""Two editors on one article: the second to save is told of the first's change, and
nothing of it (fields or tags) is lost. Optimistic locking on Article.version.
"""

import threading
import time

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client

from archive.models import Article, ArticleActor, ArticleTerritory
from tests.conftest import load_change_form, make_actor, make_article, make_territory

pytestmark = pytest.mark.django_db


def _editor_client(name):
    user = User.objects.create_user(name, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def article():
    return make_article(title="Talks resume", status=Article.Status.DRAFT)


def _url(article):
    return f"/admin/archive/article/{article.pk}/change/"


def _errors(response):
    return response.context["adminform"].form.non_field_errors()


def test_the_second_editor_to_save_is_told_and_the_first_editors_work_is_kept(article):
    japan, kurils = make_actor(name="Japan"), make_territory(name="Kuril Islands")
    alice, bob = _editor_client("alice"), _editor_client("bob")
    alices_form = load_change_form(alice, article)
    bobs_form = load_change_form(bob, article)

    alices_changes = {"title": "Talks resume in Moscow", "actors": [japan.pk], "territories": [kurils.pk]}
    response = alice.post(_url(article), {**alices_form, **alices_changes})
    assert response.status_code == 302

    response = bob.post(_url(article), {**bobs_form, "title": "Talks stall", "status": "published"})
    assert response.status_code == 200
    [error] = _errors(response)
    assert error.startswith("alice changed this article at ")
    assert "your changes were not saved" in error
    assert f'<a href="{_url(article)}">Reload the article</a>' in response.content.decode()

    article.refresh_from_db()
    assert (article.title, article.status) == ("Talks resume in Moscow", Article.Status.DRAFT)
    assert list(ArticleActor.objects.filter(article=article).values_list("actor", flat=True)) == [japan.pk]
    assert list(ArticleTerritory.objects.filter(article=article).values_list("territory", flat=True)) == [kurils.pk]

    # Bob reloads, sees Alice's tags in the form, and saves over the current version.
    response = bob.post(_url(article), load_change_form(bob, article, title="Talks stall"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Talks stall"
    assert list(article.actors.all()) == [japan]  # Alice's tag survives Bob's save


def test_each_admin_save_moves_the_article_on_one_version(article):
    alice = _editor_client("alice")
    assert article.version == 1
    alice.post(_url(article), load_change_form(alice, article, title="Once"))
    alice.post(_url(article), load_change_form(alice, article, title="Twice"))
    article.refresh_from_db()
    assert (article.title, article.version) == ("Twice", 3)


def test_a_form_without_a_version_is_refused(article):
    alice = _editor_client("alice")
    data = load_change_form(alice, article, title="Sneaked in")
    del data["version"]
    response = alice.post(_url(article), data)
    assert response.status_code == 200
    assert "did not say which version" in _errors(response)[0]
    article.refresh_from_db()
    assert article.title == "Talks resume"


def test_an_invalid_form_does_not_use_up_a_version(article):
    alice = _editor_client("alice")
    response = alice.post(_url(article), load_change_form(alice, article, title=""))
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.version == 1
    assert alice.post(_url(article), load_change_form(alice, article, title="Fixed")).status_code == 302


@pytest.mark.parametrize("action", ["publish", "withdraw"])
def test_a_bulk_action_after_an_editor_opened_the_article_is_a_conflict_too(article, action):
    alice, bob = _editor_client("alice"), _editor_client("bob")
    alices_form = load_change_form(alice, article)
    bob.post("/admin/archive/article/", {"action": action, "_selected_action": [article.pk], "index": 0})
    response = alice.post(_url(article), {**alices_form, "title": "New title"})
    assert response.status_code == 200
    assert _errors(response)[0].startswith("bob changed this article")
    article.refresh_from_db()
    assert article.status != Article.Status.DRAFT


def test_a_suggested_tag_accepted_by_one_editor_is_not_undone_by_another(article):
    from archive.models import TagSuggestion

    putin = make_actor(name="Vladimir Putin", kind="person")
    suggestion = TagSuggestion.objects.create(article=article, actor=putin, names=[{"name": "Putin", "count": 1}])
    alice, bob = _editor_client("alice"), _editor_client("bob")
    bobs_form = load_change_form(bob, article)
    response = alice.post(_url(article), load_change_form(alice, article, _suggestion=f"accept:{suggestion.pk}"))
    assert response.status_code == 302
    assert bob.post(_url(article), {**bobs_form, "title": "Bob's title"}).status_code == 200
    assert list(article.actors.all()) == [putin]


def test_claiming_a_version_succeeds_once(article):
    first, second = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    assert first.claim_version(1)
    assert not second.claim_version(1)
    assert Article.objects.get(pk=article.pk).version == 2


def _in_own_connection(work, *args):
    """Run `work` in a thread, on its own connection, outside the test's transaction."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work(*args)
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait(thread, outcome):
    thread.join(timeout=30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two connections writing at once; SQLite lets one writer in at a time anyway",
)
def test_two_simultaneous_saves_cannot_both_pass_the_check():
    # The threads' connections see only committed rows, so the article is committed too
    # (from a thread of its own) and deleted at the end.
    article = _wait(*_in_own_connection(lambda: make_article(title="Original")))
    ready = threading.Barrier(2)

    def save(title):
        with transaction.atomic():
            mine = Article.objects.get(pk=article.pk)
            ready.wait(timeout=10)
            if not mine.claim_version(1):
                return False
            mine.title = title
            mine.save()
            time.sleep(0.2)  # hold the row lock while the other save waits on it
            return True

    try:
        saves = {title: _in_own_connection(save, title) for title in ("A", "B")}
        results = {title: _wait(*running) for title, running in saves.items()}
        assert sorted(results.values()) == [False, True]
        winner = next(title for title, won in results.items() if won)
        final = _wait(*_in_own_connection(lambda: Article.objects.values_list("title", "version").get(pk=article.pk)))
        assert final == (winner, 2)
    finally:
        _wait(*_in_own_connection(lambda: Article.objects.filter(pk=article.pk).delete()))
