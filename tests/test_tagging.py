"""Suggested tags: names found in the text, proposed to editors, accepted or rejected."""

import pytest
from django.core.management import call_command

from archive.ingest.tagging import NameTable, scan, suggest_tags
from archive.models import Actor, ActorName, Article, TagSuggestion, Territory
from tests.conftest import make_actor, make_article, make_territory

pytestmark = pytest.mark.django_db


def _found(text):
    table = NameTable()
    out = {}
    for mention in scan(text, table):
        model = Actor if mention.kind == "actor" else Territory
        out[model.objects.get(pk=mention.pk).slug] = dict(mention.names)
    return out


@pytest.fixture
def names(db):
    japan = make_actor(name="Japan", slug="japan")
    us = make_actor(name="United States", slug="united-states")
    ActorName.objects.create(actor=us, name="US")
    ActorName.objects.create(actor=us, name="U.S.")
    make_actor(name="Shinzo Abe", slug="shinzo-abe", kind="person", state=japan)
    make_actor(name="Barack Obama", slug="barack-obama", kind="person", state=us)
    make_actor(name="James Brown", slug="james-brown", kind="person")
    territories = make_territory(
        name="Northern Territories",
        slug="northern-territories",
        kind="disputed",
        names=[{"name": "Southern Kurils", "preferred": True}],
    )
    make_territory(name="Etorofu", slug="etorofu", part_of=territories)
    make_territory(name="Northern", slug="northern")


def test_names_match_whole_words_ignoring_case_and_accents(names):
    assert _found("JAPAN and the southern kurils; Japanese food") == {
        "japan": {"Japan": 1},
        "northern-territories": {"Southern Kurils": 1},
    }
    assert _found("Étorofu") == {"etorofu": {"Etorofu": 1}, "northern-territories": {"Etorofu (a part of it)": 1}}


def test_the_longest_name_wins(names):
    assert _found("the Northern Territories issue") == {"northern-territories": {"Northern Territories": 1}}


def test_a_bare_surname_needs_the_full_name_or_an_office(names):
    assert _found("Abe said so.") == {}
    assert _found("Shinzo Abe arrived. Abe said so.") == {"shinzo-abe": {"Shinzo Abe": 1, "Abe": 1}}
    assert _found("Prime Minister Abe said so.") == {"shinzo-abe": {"Abe": 1}}
    assert _found("the Obama administration") == {"barack-obama": {"Obama": 1}}
    assert _found("Brown said the brown bear") == {}


def test_an_acronym_must_be_written_in_capitals(names):
    assert _found("Let us go.") == {}
    assert _found("The US and the U.S. agreed.") == {"united-states": {"US": 1, "U.S.": 1}}


def test_suggestions_are_stored_with_names_and_counts(names):
    article = make_article(title="Japan and Japan", body="Shinzo Abe visited the Southern Kurils.")
    assert suggest_tags(article) == 3
    by_target = {str(s.target): (s.names, s.count) for s in article.suggestions.all()}
    assert by_target["Japan"] == ([{"name": "Japan", "count": 2}], 2)
    assert by_target["Shinzo Abe"][1] == 1


def test_a_rejected_suggestion_does_not_come_back(names):
    article = make_article(title="Japan")
    suggest_tags(article)
    article.suggestions.get().reject()
    assert suggest_tags(article) == 0
    assert article.suggestions.get().status == TagSuggestion.Status.REJECTED


def test_accepting_tags_the_article_and_a_tag_is_not_suggested_again(names):
    article = make_article(title="Japan")
    suggest_tags(article)
    article.suggestions.get().accept()
    assert list(article.actors.values_list("slug", flat=True)) == ["japan"]
    assert suggest_tags(article) == 0
    already = make_article(title="Japan again", actors=[Actor.objects.get(slug="japan")])
    assert suggest_tags(already) == 0


def test_a_pending_suggestion_whose_name_left_the_text_is_dropped(names):
    article = make_article(title="Japan")
    suggest_tags(article)
    Article.objects.filter(pk=article.pk).update(title="Nothing here")
    article.refresh_from_db()
    assert suggest_tags(article) == 0
    assert not article.suggestions.exists()


def test_the_seed_articles_suggest_what_their_text_names():
    call_command("loaddata", "seed_archive", verbosity=0)
    table = NameTable()
    for article in Article.objects.all():
        suggested = {(m.kind, m.pk) for m in scan(f"{article.title}\n{article.lead}\n{article.body}", table)}
        tagged = {("actor", pk) for pk in article.actors.values_list("pk", flat=True)}
        tagged |= {("territory", pk) for pk in article.territories.values_list("pk", flat=True)}
        missing = tagged - suggested
        if article.slug == "japanese-pm-trump-approves-japans-outreach-to-russia":
            # "a few small islands between Hokkaido and Kamchatka": the text never names
            # the Northern Territories; an editor tagged them.
            assert {pk for _, pk in missing} == {article.territories.get(slug="northern-territories").pk}
        else:
            assert not missing, (article.slug, missing)


def test_the_suggest_tags_command_scans_drafts_or_named_articles(names):
    from io import StringIO

    from django.core.management import CommandError

    draft = make_article(title="Japan", status=Article.Status.DRAFT)
    published = make_article(title="Japan too")
    out = StringIO()
    call_command("suggest_tags", stdout=out, verbosity=0)
    assert "Scanned 1 articles: 1 suggestions pending." in out.getvalue()
    assert draft.suggestions.count() == 1 and not published.suggestions.exists()
    call_command("suggest_tags", published.slug, stdout=out, verbosity=0)
    assert published.suggestions.count() == 1
    with pytest.raises(CommandError, match="No article with the slug: nope"):
        call_command("suggest_tags", "nope", stdout=out)
