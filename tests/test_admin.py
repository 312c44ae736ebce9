"""The editors' admin: the Editors group, what editors can and cannot do, the article
changelist's actions and query count, tagging through the article form, autocomplete by
alias, and PROTECT as a superuser meets it.
"""

import datetime
import importlib
import re
from types import SimpleNamespace

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Count, Max, Min, QuerySet
from django.test.utils import CaptureQueriesContext
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from pytest_django.asserts import assertContains

from archive import admin as admin_module
from archive.models import (
    Actor,
    ActorName,
    Article,
    ArticleActor,
    ArticleTerritory,
    Claim,
    Source,
    Territory,
    TerritoryName,
)
from tests.conftest import load_change_form

pytestmark = pytest.mark.django_db

EDITORS_CODENAMES = {
    *(f"{action}_{model}" for action in ("add", "change", "view") for model in (
        "article", "source", "actor", "territory",
        "actorname", "territoryname", "claim", "articleactor", "articleterritory",
    )),
    "delete_actorname", "delete_territoryname", "delete_claim", "delete_articleactor", "delete_articleterritory",
    "change_tagsuggestion", "view_tagsuggestion",
}  # fmt: skip

CHANGELIST = "/admin/archive/article/"


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def archive(db):
    """A source, three actors (Putin under three more names), the Kurils, a draft article."""
    times = Source.objects.create(name="The Japan Times", slug="japan-times")
    japan = Actor.objects.create(name="Japan", slug="japan", kind=Actor.Kind.STATE)
    russia = Actor.objects.create(name="Russia", slug="russia", kind=Actor.Kind.STATE)
    putin = Actor.objects.create(
        name="Vladimir Putin", slug="vladimir-putin", kind=Actor.Kind.PERSON, role="President", state=russia
    )
    # Two aliases contain "Путин": a join on names would list him twice.
    for name, language in [("Путин", "ru"), ("Владимир Путин", "ru"), ("Putin", "en")]:
        ActorName.objects.create(actor=putin, name=name, language=language)
    kurils = Territory.objects.create(name="Kuril Islands", slug="kuril-islands", kind=Territory.Kind.DISPUTED)
    TerritoryName.objects.create(territory=kurils, name="Northern Territories", used_by=japan, preferred=True)
    TerritoryName.objects.create(territory=kurils, name="Южные Курилы", language="ru", used_by=russia)
    draft = Article.objects.create(
        title="Talks on the islands resume",
        slug="talks-resume",
        source=times,
        lead="Negotiators met in Moscow.",
        published_on=datetime.date(2016, 12, 1),
        date_precision="month",
    )
    return SimpleNamespace(times=times, japan=japan, russia=russia, putin=putin, kurils=kurils, draft=draft)


def _article(n, **fields):
    fields.setdefault("slug", f"article-{n}")
    return Article.objects.create(title=f"Article {n}", **fields)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The Editors group -------------------------------------------------------------------


def test_the_editors_group_has_exactly_the_permissions_editors_need():
    editors = Group.objects.get(name="Editors")
    granted = set(editors.permissions.values_list("content_type__app_label", "codename"))
    assert granted == {("archive", codename) for codename in EDITORS_CODENAMES}


def test_the_editors_group_migration_can_be_reversed_and_reapplied():
    migration = importlib.import_module("archive.migrations.0002_editors_group")
    state_apps = MigrationLoader(connection).project_state(("archive", "0002_editors_group")).apps
    schema_editor = SimpleNamespace(connection=connection)

    migration.remove_editors_group(state_apps, schema_editor)
    assert not Group.objects.filter(name="Editors").exists()

    migration.create_editors_group(state_apps, schema_editor)
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert codenames == EDITORS_CODENAMES


# --- What an editor sees -----------------------------------------------------------------


def test_an_editor_logs_in_and_sees_the_article_changelist(client, editor, archive):
    response = client.post(
        "/admin/login/?next=/admin/archive/article/",
        {"username": "editor", "password": "correct horse battery", "next": CHANGELIST},
        follow=True,
    )
    assert response.redirect_chain == [(CHANGELIST, 302)]
    assert response.status_code == 200
    assert response.context["user"] == editor
    assertContains(response, "Talks on the islands resume")
    assertContains(response, "December 2016")  # the date only as precise as known


@pytest.mark.parametrize("model", ["article", "source", "actor", "territory"])
@pytest.mark.parametrize("page", ["changelist", "add", "change"])
def test_every_admin_page_renders_for_an_editor(editor_client, archive, model, page):
    obj = {"article": archive.draft, "source": archive.times, "actor": archive.putin, "territory": archive.kurils}[
        model
    ]
    args = [obj.pk] if page == "change" else []
    response = editor_client.get(reverse(f"admin:archive_{model}_{page}", args=args))
    assert response.status_code == 200
    content = response.content.decode()
    # Nobody without the delete permission is offered bulk deletion, nor a delete link.
    assert 'value="delete_selected"' not in content
    assert f"/admin/archive/{model}/{obj.pk}/delete/" not in content


def test_the_article_form_shows_tags_as_autocomplete_fields(editor_client, archive):
    ArticleActor.objects.create(article=archive.draft, actor=archive.putin)
    response = editor_client.get(reverse("admin:archive_article_change", args=[archive.draft.pk]))
    content = response.content.decode()
    assert 'data-field-name="actors"' in content
    assert 'data-field-name="territories"' in content
    assert f'<option value="{archive.putin.pk}" selected>Vladimir Putin</option>' in content


@pytest.mark.parametrize(
    ("published_on", "error"),
    [
        ("0016-05-09", "Give a date from 1800 on"),
        ("1799-12-31", "Give a date from 1800 on"),
        (str(datetime.date.today() + datetime.timedelta(days=3)), "This date is still to come"),
    ],
)
def test_an_article_date_that_cannot_be_a_publication_date_is_refused(editor_client, archive, published_on, error):
    article = archive.draft
    data = load_change_form(editor_client, article, published_on=published_on, date_precision="day")
    response = editor_client.post(reverse("admin:archive_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    article.refresh_from_db()
    assert str(article.published_on) != published_on


@pytest.mark.parametrize("published_on", ["1800-01-01", str(datetime.date.today() + datetime.timedelta(days=1))])
def test_an_article_date_from_1800_to_tomorrow_is_kept(editor_client, archive, published_on):
    article = archive.draft
    data = load_change_form(editor_client, article, published_on=published_on, date_precision="day")
    response = editor_client.post(reverse("admin:archive_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert str(article.published_on) == published_on


def test_an_article_stored_with_an_unlikely_date_stays_editable(editor_client, archive):
    article = archive.draft
    Article.objects.filter(pk=article.pk).update(published_on=datetime.date(1700, 1, 1), date_precision="day")
    data = load_change_form(editor_client, article, editors_note="Checked.")
    response = editor_client.post(reverse("admin:archive_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.published_on, article.editors_note) == (datetime.date(1700, 1, 1), "Checked.")


def test_an_editor_may_remove_an_alias_inline(editor_client, archive):
    response = editor_client.get(reverse("admin:archive_actor_change", args=[archive.putin.pk]))
    assert 'name="names-0-DELETE"' in response.content.decode()


def _changelist_queries(client, django_assert_num_queries):
    # 1 session, 2 user, 3 the user's permissions, 4 their groups' permissions,
    # 5-7 the choices of the source, actor and territory filters, 8 the territories' names,
    # 9 count of the list (not also of all articles: show_full_result_count),
    # 10 the page of articles with their sources and tag counts (subqueries),
    # 11-12 the first and the last date (ArticleQuerySet.aggregate), 13 whether each
    # year between them has any, for the date hierarchy (ArticleQuerySet.dates);
    # 14-15 the savepoint the list is read in (_GuardedMixin), as the test's transaction
    # makes it (outside one, a transaction, whose begin and commit are not queries).
    with django_assert_num_queries(15):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return response


def test_the_article_changelist_query_count_does_not_grow_with_articles(
    editor_client, archive, django_assert_num_queries
):
    response = _changelist_queries(editor_client, django_assert_num_queries)
    assert response.context["cl"].result_count == 1

    # Each new article with its own source, actor and territory: every column and every
    # filter has new rows to show.
    for n in range(19):
        source = Source.objects.create(name=f"Source {n}", slug=f"source-{n}")
        actor = Actor.objects.create(name=f"Actor {n}", slug=f"actor-{n}", kind=Actor.Kind.STATE)
        territory = Territory.objects.create(name=f"Island {n}", slug=f"island-{n}", kind=Territory.Kind.ISLAND)
        TerritoryName.objects.create(territory=territory, name=f"Isle {n}", used_by=actor, preferred=True)
        article = _article(n, source=source)
        article.actors.set([actor, archive.putin])
        article.territories.set([territory])

    response = _changelist_queries(editor_client, django_assert_num_queries)
    assert response.context["cl"].result_count == 20
    assert b"Island 3 / Isle 3" in response.content  # the territory filter shows labels


def test_the_article_changelist_counts_each_articles_tags(editor_client, archive):
    archive.draft.actors.set([archive.putin, archive.japan])
    archive.draft.territories.set([archive.kurils])
    response = editor_client.get(CHANGELIST)
    row = response.context["cl"].result_list[0]
    assert (row.actor_count, row.territory_count) == (2, 1)


# --- At scale: what the changelists read ------------------------------------------------


def _actor_in(name, published, drafts=0):
    actor = Actor.objects.create(name=name, slug=name.lower(), kind=Actor.Kind.STATE)
    for n in range(published + drafts):
        status = Article.Status.PUBLISHED if n < published else Article.Status.DRAFT
        _article(f"{actor.slug}-{n}", status=status).actors.set([actor])
    return actor


def _filter_choices(client, path, query=""):
    response = client.get(CHANGELIST + query)
    if "%00" in query:  # refused before the changelist (AdminNulMiddleware)
        assert response.status_code == 400
        return None
    assert response.status_code in (200, 302)  # 302: a lookup the changelist refuses (?e=1)
    if response.status_code == 302:
        return None
    # A filter with nothing to offer is not shown at all.
    spec = next((spec for spec in response.context["cl"].filter_specs if spec.field_path == path), None)
    return [] if spec is None else [label for _, label in spec.lookup_choices]


def test_the_tag_filters_offer_the_most_covered_and_the_chosen_when_there_are_many(editor_client, archive, monkeypatch):
    monkeypatch.setattr(admin_module, "LIST_FILTER_CHOICES", 3)
    # Up to the limit, every actor, covered or not.
    assert _filter_choices(editor_client, "actors") == ["Japan", "Russia", "Vladimir Putin"]

    _actor_in("Austria", published=3)
    _actor_in("Brazil", published=1, drafts=5)  # drafts are not coverage
    _actor_in("Chile", published=2)
    assert _filter_choices(editor_client, "actors") == ["Austria", "Brazil", "Chile"]
    # The chosen one is offered too, so that the list says what it is filtered by.
    query = f"?actors__id__exact={archive.japan.pk}"
    assert _filter_choices(editor_client, "actors", query) == ["Austria", "Brazil", "Chile", "Japan"]
    for bad in ["abc", "9" * 30, "%00", "-1", "1.5", "", "%EF%BC%91"]:
        choices = _filter_choices(editor_client, "actors", f"?actors__id__exact={bad}")
        assert choices is None or choices[:3] == ["Austria", "Brazil", "Chile"]


def test_the_territory_filter_labels_the_chosen_territory_past_the_limit(editor_client, archive, monkeypatch):
    monkeypatch.setattr(admin_module, "LIST_FILTER_CHOICES", 0)
    query = f"?territories__id__exact={archive.kurils.pk}"
    assert _filter_choices(editor_client, "territories", query) == ["Kuril Islands / Northern Territories"]
    assert _filter_choices(editor_client, "territories") == []


@pytest.mark.parametrize("model", ["actor", "territory", "source"])
@pytest.mark.parametrize("o", ["5", "-5", "5.1", "x"])
def test_the_published_articles_column_is_not_sorted_in_the_database(editor_client, archive, model, o):
    # The counts come from the cache (archive.stats): asking to sort by them is ignored.
    response = editor_client.get(f"/admin/archive/{model}/", {"o": o})
    assert response.status_code in (200, 302)


def _listed(client, query, *, tag_by_exists=None):
    """The ids the article changelist lists for `query`, and whether its SQL said DISTINCT."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    if tag_by_exists is not None:
        count = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)"))
        assert ("EXISTS" in count) == tag_by_exists
    distinct = any("DISTINCT" in q["sql"] for q in queries.captured_queries)
    return [article.pk for article in response.context["cl"].result_list], distinct


def test_the_tag_filters_list_each_article_once_without_distinct(editor_client, archive):
    # Japan on 12 of the 13 published articles (each also about Putin), a tag common
    # enough to be filtered with EXISTS. Russia on one: with the join.
    common = [_article(n, status=Article.Status.PUBLISHED) for n in range(12)]
    for article in common:
        article.actors.set([archive.japan, archive.putin])
    rare = _article("rare", status=Article.Status.PUBLISHED)
    rare.actors.set([archive.russia, archive.putin])
    archive.draft.territories.set([archive.kurils])
    newest_first = sorted(common, key=lambda a: -a.pk)

    japan = f"?actors__id__exact={archive.japan.pk}"
    assert _listed(editor_client, japan, tag_by_exists=True) == ([a.pk for a in newest_first], False)
    russia = f"?actors__id__exact={archive.russia.pk}"
    assert _listed(editor_client, russia, tag_by_exists=False) == ([rare.pk], False)
    query = f"?actors__id__exact={archive.putin.pk}&territories__id__exact={archive.kurils.pk}"
    assert _listed(editor_client, query) == ([], False)
    # No actor at all: the draft, once.
    assert _listed(editor_client, "?actors__isnull=True") == ([archive.draft.pk], False)
    # Where one article may match twice, Django's DISTINCT stays.
    ids, distinct = _listed(
        editor_client, f"?actors__id__exact={archive.japan.pk}&actors__id__exact={archive.putin.pk}"
    )
    assert sorted(ids) == sorted(a.pk for a in [*common, rare]) and distinct
    ids, distinct = _listed(editor_client, "?actors__isnull=False")
    assert sorted(ids) == sorted(a.pk for a in [*common, rare]) and distinct


@pytest.mark.parametrize(
    "narrowed", [{}, {"status": Article.Status.DRAFT}, {"published_on__year": 2016}, {"slug": "nothing"}]
)
def test_the_first_and_last_date_come_from_the_date_index(dated, narrowed):
    articles = dated.filter(**narrowed)
    bounds = {"first": Min("published_on"), "last": Max("published_on")}
    with CaptureQueriesContext(connection) as queries:
        found = articles.aggregate(**bounds)
    assert found == QuerySet.aggregate(articles, **bounds)
    assert not any("MIN(" in q["sql"].upper() for q in queries.captured_queries)
    # Any other aggregate is Django's.
    assert articles.aggregate(n=Count("pk"), last=Max("published_on")) == QuerySet.aggregate(
        articles, n=Count("pk"), last=Max("published_on")
    )


_DATED = [
    datetime.date(2014, 12, 31),
    datetime.date(2015, 1, 1),
    datetime.date(2015, 1, 1),
    datetime.date(2016, 3, 5),
    datetime.date(2016, 3, 9),
    datetime.date(2016, 5, 1),
]


@pytest.fixture
def dated(db):
    for n, day in enumerate(_DATED):
        status = Article.Status.DRAFT if n % 2 else Article.Status.PUBLISHED
        _article(n, published_on=day, date_precision="day", status=status)
    _article("undated")
    return Article.objects.all()


@pytest.mark.parametrize("kind", ["year", "month", "day"])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
@pytest.mark.parametrize(
    "narrowed",
    [
        {},
        {"status": Article.Status.DRAFT},
        {"published_on__year": 2016},
        {"published_on__year": 2016, "published_on__month": 3},
        {"slug": "nothing"},
    ],
)
def test_dates_are_the_periods_django_finds_without_reading_every_article(dated, kind, order, narrowed):
    articles = dated.filter(**narrowed)
    with CaptureQueriesContext(connection) as queries:
        found = list(articles.dates("published_on", kind, order))
    assert found == list(QuerySet.dates(articles, "published_on", kind, order))
    # Over a year of days is more than DATE_PROBES: those are left to Django.
    if kind != "day" or "published_on__year" in narrowed:
        assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)


def test_dates_reach_the_last_day_there_is(db):
    for n, day in enumerate([datetime.date(9999, 1, 1), datetime.date(9999, 12, 31), datetime.date(1, 1, 1)]):
        _article(n, published_on=day, date_precision="day")
    for kind in ["year", "month", "day"]:
        articles = Article.objects.filter(published_on__year=9999)
        assert list(articles.dates("published_on", kind)) == list(QuerySet.dates(articles, "published_on", kind))
        articles = Article.objects.all()  # ten thousand years: more than DATE_PROBES, Django's
        assert list(articles.dates("published_on", kind)) == list(QuerySet.dates(articles, "published_on", kind))


def test_the_date_hierarchy_links_the_years_that_have_articles(editor_client, dated):
    content = editor_client.get(CHANGELIST).content.decode()
    assert [year for year in range(2013, 2018) if f"?published_on__year={year}" in content] == [2014, 2015, 2016]
    content = editor_client.get(CHANGELIST, {"published_on__year": "2016"}).content.decode()
    assert sorted(set(map(int, re.findall(r"published_on__month=(\d+)", content)))) == [3, 5]


def test_a_search_has_no_date_hierarchy_but_keeps_a_year_chosen(editor_client, dated):
    # Its first and last date would mean reading every match of a common word.
    with CaptureQueriesContext(connection) as queries:
        content = editor_client.get(CHANGELIST, {"q": "article"}).content.decode()
    assert "published_on__year=" not in content
    assert not any("MIN(" in q["sql"].upper() for q in queries.captured_queries)
    response = editor_client.get(CHANGELIST, {"q": "article", "published_on__year": "2016"})
    assert sorted(a.published_on.year for a in response.context["cl"].result_list) == [2016, 2016, 2016]


@pytest.mark.parametrize(
    "query",
    [
        {"published_on__year": "abc"},
        {"published_on__year": "%00"},
        {"published_on__year": "\x00"},
        {"published_on__year": "99999"},
        {"published_on__year": "0"},
        {"published_on__year": "9" * 30},
        {"published_on__year": "2016", "published_on__month": "13"},
        {"published_on__year": "2016", "published_on__month": "2", "published_on__day": "30"},
        {"published_on__year": "2016", "published_on__month": "-1"},
        {"published_on__year": "9999", "published_on__month": "12", "published_on__day": "31"},
        {"published_on__year": "9999", "published_on__month": "12"},
        {"published_on__year": "9999"},
    ],
)
def test_the_date_hierarchy_answers_garbage_without_an_error(editor_client, dated, query):
    response = editor_client.get(CHANGELIST, query)
    if any("\x00" in value for value in query.values()):
        assert response.status_code == 400  # refused before the changelist (AdminNulMiddleware)
    else:
        assert response.status_code in (200, 302)  # 302: the changelist's own ?e=1 for a lookup it refuses


# --- Autocomplete and search by alias ----------------------------------------------------


def test_autocomplete_finds_an_actor_by_an_alias_once(editor_client, archive):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "archive", "model_name": "article", "field_name": "actors", "term": "Путин"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(archive.putin.pk), "text": "Vladimir Putin"}]


def test_autocomplete_finds_a_territory_by_the_name_one_side_uses(editor_client, archive):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "archive", "model_name": "article", "field_name": "territories", "term": "Курилы"},
    )
    assert response.json()["results"] == [
        {"id": str(archive.kurils.pk), "text": "Kuril Islands / Northern Territories"}
    ]


def test_searching_actors_by_alias_lists_each_once_with_the_right_count(editor_client, archive):
    for n in range(3):
        _article(n, status=Article.Status.PUBLISHED).actors.set([archive.putin])
    response = editor_client.get("/admin/archive/actor/", {"q": "Путин"})
    cl = response.context["cl"]
    assert [actor.name for actor in cl.result_list] == ["Vladimir Putin"]
    assert cl.result_list[0].article_count == 3
    # The count links to the articles it counts.
    link = f"/admin/archive/article/?actors__id__exact={archive.putin.pk}&amp;status__exact=published"
    assertContains(response, f'<a href="{link}">3</a>', html=True)
    assert editor_client.get(link.replace("&amp;", "&")).context["cl"].result_count == 3


# --- Bulk actions ------------------------------------------------------------------------


def test_publishing_selected_articles_publishes_only_those(editor_client, archive):
    other = _article(1)
    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [archive.draft.pk], "index": 0}, follow=True
    )
    archive.draft.refresh_from_db()
    other.refresh_from_db()
    assert archive.draft.status == Article.Status.PUBLISHED
    assert other.status == Article.Status.DRAFT
    assert _messages(response) == ["Published: 1 article."]


def test_withdrawing_selected_articles_says_which_already_were(editor_client, archive):
    withdrawn = _article(1, status=Article.Status.WITHDRAWN)
    published = _article(2, status=Article.Status.PUBLISHED)
    response = editor_client.post(
        CHANGELIST,
        {"action": "withdraw", "_selected_action": [withdrawn.pk, published.pk], "index": 0},
        follow=True,
    )
    assert set(Article.objects.filter(status="withdrawn").values_list("pk", flat=True)) == {withdrawn.pk, published.pk}
    assert _messages(response) == ["Withdrawn: 1 article. 1 article was already withdrawn."]


def test_adding_an_actor_asks_which_then_tags_the_selected_articles_once(editor_client, archive):
    tagged = _article(1)
    ArticleActor.objects.create(article=tagged, actor=archive.putin)
    selected = [archive.draft.pk, tagged.pk]

    page = editor_client.post(CHANGELIST, {"action": "add_actor", "_selected_action": selected, "index": 0})
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-field-name="actors"' in content and "admin/js/autocomplete.js" in content
    assert "Talks on the islands resume" in content and "Article 1" in content

    response = editor_client.post(
        CHANGELIST,
        {"action": "add_actor", "_selected_action": selected, "apply": "yes", "tag": archive.putin.pk},
        follow=True,
    )
    assert response.redirect_chain[-1] == (CHANGELIST, 302)
    assert _messages(response) == ["Tagged 1 article with “Vladimir Putin”. 1 article already had it."]
    assert set(ArticleActor.objects.filter(actor=archive.putin).values_list("article", flat=True)) == set(selected)


def test_adding_an_actor_without_choosing_one_shows_the_page_again(editor_client, archive):
    response = editor_client.post(
        CHANGELIST, {"action": "add_actor", "_selected_action": [archive.draft.pk], "apply": "yes", "tag": ""}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ArticleActor.objects.exists()


def test_adding_a_territory_tags_the_selected_articles(editor_client, archive):
    other = _article(1)
    response = editor_client.post(
        CHANGELIST,
        {
            "action": "add_territory",
            "_selected_action": [archive.draft.pk, other.pk],
            "apply": "yes",
            "tag": archive.kurils.pk,
        },
        follow=True,
    )
    assert _messages(response) == ["Tagged 2 articles with “Kuril Islands / Northern Territories”."]
    assert ArticleTerritory.objects.filter(territory=archive.kurils).count() == 2


# --- Tagging in the change form ----------------------------------------------------------


def _article_form_data(article, **changes):
    data = {
        "title": article.title,
        "lead": article.lead,
        "body": article.body,
        "byline": "",
        "dateline": "",
        "source": article.source_id or "",
        "published_on": article.published_on.isoformat() if article.published_on else "",
        "date_precision": article.date_precision,
        "canonical_url": "",
        "print_page": "",
        "language": "en",
        "status": article.status,
        "editors_note": "",
        "actors": [],
        "territories": [],
        # The version the editor loaded, as the change form carries it (none when adding).
        "version": Article.objects.get(pk=article.pk).version if article.pk else "",
        "_save": "Save",
    }
    return {**data, **changes}


def test_saving_the_article_form_writes_and_removes_tag_rows(editor_client, archive):
    url = reverse("admin:archive_article_change", args=[archive.draft.pk])
    data = _article_form_data(
        archive.draft, actors=[archive.putin.pk, archive.japan.pk], territories=[archive.kurils.pk]
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(ArticleActor.objects.values_list("article", "actor")) == {
        (archive.draft.pk, archive.putin.pk),
        (archive.draft.pk, archive.japan.pk),
    }
    assert set(ArticleTerritory.objects.values_list("article", "territory")) == {(archive.draft.pk, archive.kurils.pk)}

    editor_client.post(url, _article_form_data(archive.draft, actors=[archive.japan.pk]))
    assert list(ArticleActor.objects.values_list("actor", flat=True)) == [archive.japan.pk]


def test_adding_an_article_with_tags_writes_the_tag_rows(editor_client, archive):
    new = Article(title="A new article", date_precision="unknown", status="draft")
    data = _article_form_data(new, slug="a-new-article", actors=[archive.putin.pk], territories=[archive.kurils.pk])
    response = editor_client.post(reverse("admin:archive_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="a-new-article")
    assert list(article.actors.all()) == [archive.putin]
    assert list(article.territories.all()) == [archive.kurils]


def test_the_article_slug_is_kept_once_set(editor_client, archive):
    url = reverse("admin:archive_article_change", args=[archive.draft.pk])
    editor_client.post(url, _article_form_data(archive.draft, slug="something-else", title="New title"))
    archive.draft.refresh_from_db()
    assert (archive.draft.title, archive.draft.slug) == ("New title", "talks-resume")


def test_saving_the_territory_form_writes_claims(editor_client, archive):
    data = {
        "name": "Senkaku Islands",
        "slug": "senkaku-islands",
        "kind": "disputed",
        "description": "",
        "part_of": "",
        "administered_by": archive.japan.pk,
        "latitude": "",
        "longitude": "",
        "claimants": [archive.japan.pk, archive.russia.pk],
        "names-TOTAL_FORMS": 0,
        "names-INITIAL_FORMS": 0,
        "names-MIN_NUM_FORMS": 0,
        "names-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    response = editor_client.post(reverse("admin:archive_territory_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    senkaku = Territory.objects.get(slug="senkaku-islands")
    assert set(Claim.objects.filter(territory=senkaku).values_list("claimant", flat=True)) == {
        archive.japan.pk,
        archive.russia.pk,
    }


# --- What an editor cannot do ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/admin/archive/article/{pk}/delete/", "/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"],
)
def test_an_editor_is_refused_deleting_articles_and_managing_users(editor_client, archive, url):
    assert editor_client.get(url.format(pk=archive.draft.pk)).status_code == 403
    assert editor_client.post(url.format(pk=archive.draft.pk), {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=archive.draft.pk).exists()


def test_an_editor_cannot_delete_articles_through_the_bulk_action(editor_client, archive):
    response = editor_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [archive.draft.pk], "post": "yes", "index": 0},
        follow=True,
    )
    assert _messages(response) == ["No action selected."]
    assert Article.objects.filter(pk=archive.draft.pk).exists()


def test_editors_have_no_delete_permission_on_articles_or_reference_rows(editor):
    for model in ("article", "source", "actor", "territory"):
        assert not editor.has_perm(f"archive.delete_{model}")
    assert not Permission.objects.filter(group__name="Editors", content_type__app_label="auth").exists()


# --- PROTECT, as a superuser meets it ----------------------------------------------------


def test_a_superuser_deleting_a_tagged_actor_is_shown_what_protects_it(admin_client, archive):
    ArticleActor.objects.create(article=archive.draft, actor=archive.putin)
    url = reverse("admin:archive_actor_delete", args=[archive.putin.pk])

    response = admin_client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in content
    assert "Articles tagged with it: 1" in content
    assert f'<a href="/admin/archive/article/{archive.draft.pk}/change/">Talks on the islands resume</a>' in content

    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Actor.objects.filter(pk=archive.putin.pk).exists()


def test_select_all_of_a_list_larger_than_an_action_takes_is_refused_with_the_counts(
    editor_client, archive, monkeypatch
):
    monkeypatch.setattr(admin_module, "BULK_ACTION_LIMIT", 2)
    for n in range(2):
        _article(n)
    post = {"action": "publish", "_selected_action": [archive.draft.pk], "select_across": "1", "index": 0}
    response = editor_client.post(CHANGELIST, post, follow=True)
    assert "An action takes at most 2 rows at a time, and all 3 were selected" in " ".join(_messages(response))
    assert not Article.objects.filter(status=Article.Status.PUBLISHED).exists()
    # Filtered to as many as it takes, the same selection goes through.
    response = editor_client.post(f"{CHANGELIST}?title__startswith=Article", post, follow=True)
    assert set(Article.objects.filter(status=Article.Status.PUBLISHED).values_list("title", flat=True)) == {
        "Article 0",
        "Article 1",
    }


def _tag_on_articles(actor, n, start=0):
    for i in range(start, start + n):
        article = Article.objects.create(title=f"Report {i}", slug=f"report-{i}")
        ArticleActor.objects.create(article=article, actor=actor)


def test_a_delete_confirmation_counts_what_protects_a_row_instead_of_listing_it(
    admin_client, archive, django_assert_num_queries
):
    """Listed whole, an actor on 210,000 articles was a million queries and a page as long."""
    url = reverse("admin:archive_actor_delete", args=[archive.russia.pk])
    _tag_on_articles(archive.russia, 3)
    admin_client.get(url)  # the session and the cached numbers read once
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    _tag_on_articles(archive.russia, 27, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    content = response.content.decode()
    assert "Articles tagged with it: 30" in content
    assert len(re.findall(r'/admin/archive/article/\d+/change/">Report \d+</a>', content)) == 10
    assert "… and 20 more" in content
    # Everything else that refers to Russia, each kind once, named.
    assert "Actors (state): 1" in content and ">Vladimir Putin</a>" in content
    assert "Territory names (used by): 1" in content and "Южные Курилы" in content

    # The bulk action asks the same, and deletes nothing either.
    response = admin_client.post(
        "/admin/archive/actor/",
        {"action": "delete_selected", "_selected_action": [archive.russia.pk, archive.japan.pk]},
    )
    assert "Articles tagged with it: 30" in response.content.decode()
    admin_client.post(
        "/admin/archive/actor/",
        {"action": "delete_selected", "_selected_action": [archive.russia.pk], "post": "yes"},
    )
    assert Actor.objects.filter(pk=archive.russia.pk).exists()


def test_a_row_nothing_protects_is_confirmed_with_what_goes_with_it_and_deleted(admin_client, archive):
    lone = Actor.objects.create(name="Lone Envoy", slug="lone-envoy", kind=Actor.Kind.PERSON)
    ActorName.objects.create(actor=lone, name="The Envoy")
    url = reverse("admin:archive_actor_delete", args=[lone.pk])
    content = admin_client.get(url).content.decode()
    assert "Are you sure you want to delete the actor" in content
    assert "The Envoy" in content  # its names go with it
    admin_client.post(url, {"post": "yes"})
    assert not Actor.objects.filter(pk=lone.pk).exists()
    assert not ActorName.objects.filter(name="The Envoy").exists()


# --- Bad addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST + "?status__exact=%00",
        CHANGELIST + "?language=%00",
        CHANGELIST + "?q=%00",
        CHANGELIST + "?%00=1",
        CHANGELIST + "?actors__id__exact=1&source__id__exact=%001",
        "/admin/archive/actor/?kind__exact=x%00y",
        "/admin/archive/source/?q=Tass%00",
        "/admin/archive/tagsuggestion/?status__exact=%00",
        "/admin/autocomplete/?app_label=archive&model_name=article&field_name=actors&term=%00",
        "/admin/auth/user/?username=%00",
    ],
)
def test_a_nul_character_in_an_admin_address_is_a_400_that_says_so(admin_client, archive, url):
    """PostgreSQL refuses NUL in text: a filter's value or the autocomplete's term holding
    one was a 500 there."""
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert admin_client.get(url.replace("%00", "")).status_code in (200, 302)


# --- Whatever an editor's address or form holds --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/archive/article/?title__regex=(",
        "/admin/archive/article/?actors__id__regex=(",
        "/admin/archive/article/?created_at__year=99999",
        "/admin/archive/article/?published_on__year__lt=99999999999",
        "/admin/archive/article/?published_on__iso_year=0",
        "/admin/archive/actor/?name__iregex=)",
        "/admin/archive/source/?homepage__regex=(",
        "/admin/archive/territory/?latitude__gt=1e999999",
        "/admin/archive/territory/?name__regex=[",
        "/admin/archive/tagsuggestion/?created_at__year=99999",
        "/admin/archive/tagsuggestion/?names__contains=x",
    ],
)
def test_a_filter_the_database_cannot_run_shows_the_list_without_it(editor_client, archive, path):
    # As Django answers a lookup it refuses: the list again, with ?e=1 (an error note).
    # (Where the database takes it, the filtered list.)
    response = editor_client.get(path)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1") and editor_client.get(response["Location"]).status_code == 200
    # And the database's connection is still usable after the failed query.
    assert editor_client.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize("selected", ["abc", "", "1.5", "²", "1" * 20])
def test_a_bulk_action_on_something_that_is_not_a_row_is_refused_with_a_message(editor_client, archive, selected):
    response = editor_client.post(
        CHANGELIST, {"action": "publish", helpers.ACTION_CHECKBOX_NAME: [str(archive.draft.pk), selected]}
    )
    assert response.status_code == 302
    assert _messages(response) == ["Something selected is not a row of this list; select again."]
    archive.draft.refresh_from_db()
    assert archive.draft.status == Article.Status.DRAFT


@pytest.mark.parametrize("value", ["²", "1" * 5000, "12", "-3", "a", "٣"])
def test_only_plain_digits_name_a_row(value):
    # A suggestion's decision (accept:12) and a selection name rows so: str.isdigit()
    # also takes "²", which int() refuses, and 5,000 digits, which it refuses too.
    assert admin_module._is_id(value) == (value == "12")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/archive/article/add/?source=abc",
        "/admin/archive/article/add/?actors=abc",
        "/admin/archive/article/add/?territories=1.5",
        "/admin/archive/territory/add/?claimants=abc",
        "/admin/archive/territory/add/?part_of=abc",
        "/admin/archive/actor/add/?state=abc",
        "/admin/archive/source/add/?country=%C2%B2&parent=" + "9" * 25,
    ],
)
def test_an_autocomplete_field_given_something_that_is_no_id_shows_the_form(editor_client, archive, path):
    assert editor_client.get(path).status_code == 200


@pytest.mark.parametrize(
    "path, field",
    [
        ("/admin/archive/article/{draft}/change/", "source"),
        ("/admin/archive/article/{draft}/change/", "actors"),
        ("/admin/archive/territory/{kurils}/change/", "claimants"),
        ("/admin/archive/territory/{kurils}/change/", "names-0-used_by"),
    ],
)
def test_a_form_posted_with_something_that_is_no_id_is_a_form_error(editor_client, archive, path, field):
    url = path.format(draft=archive.draft.pk, kurils=archive.kurils.pk)
    form = editor_client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data[field] = "abc"
    response = editor_client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors


def test_a_bulk_tag_action_with_something_that_is_no_id_is_a_form_error(editor_client, archive):
    response = editor_client.post(
        CHANGELIST,
        {"action": "add_actor", "apply": "yes", helpers.ACTION_CHECKBOX_NAME: [archive.draft.pk], "tag": "abc"},
    )
    assert response.status_code == 200
    assert not archive.draft.actors.exists()
