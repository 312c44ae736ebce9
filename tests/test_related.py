"""Related articles: those sharing the most tags, the newest first, from a bounded set."""

import datetime

import pytest

from archive import models
from archive.models import Article
from tests.conftest import make_actor, make_article, make_territory

pytestmark = pytest.mark.django_db


def _related(article, **kwargs):
    return [a.slug for a in Article.objects.related_to(article, **kwargs)]


def test_the_most_shared_tags_come_first_then_the_newest():
    japan, russia = make_actor(name="Japan"), make_actor(name="Russia")
    kurils = make_territory(name="Kuril Islands")
    article = make_article(slug="summit", actors=[japan, russia], territories=[kurils])
    make_article(slug="old-one-tag", published_on=datetime.date(2001, 1, 1), actors=[japan])
    make_article(slug="new-one-tag", published_on=datetime.date(2020, 1, 1), territories=[kurils])
    make_article(
        slug="three-tags", published_on=datetime.date(1999, 1, 1), actors=[japan, russia], territories=[kurils]
    )
    make_article(slug="two-tags", published_on=datetime.date(2000, 1, 1), actors=[russia], territories=[kurils])
    make_article(slug="undated-one-tag", actors=[russia])
    make_article(slug="unrelated", actors=[make_actor(name="Chile")])
    assert _related(article, limit=10) == ["three-tags", "two-tags", "new-one-tag", "old-one-tag", "undated-one-tag"]
    assert _related(article, limit=2) == ["three-tags", "two-tags"]


def test_drafts_withdrawn_and_the_article_itself_are_never_related():
    japan = make_actor(name="Japan")
    article = make_article(slug="summit", actors=[japan])
    make_article(slug="draft", actors=[japan], status=Article.Status.DRAFT)
    make_article(slug="withdrawn", actors=[japan], status=Article.Status.WITHDRAWN)
    make_article(slug="public", actors=[japan])
    assert _related(article) == ["public"]


def test_newer_drafts_with_the_same_tags_take_no_candidates_place(monkeypatch):
    # An editor imports a batch of drafts tagged like a published article: its related
    # articles are still the published ones, as if the drafts did not exist.
    monkeypatch.setattr(models, "RELATED_CANDIDATES", 4)
    japan = make_actor(name="Japan")
    article = make_article(slug="summit", actors=[japan])
    for i in range(3):
        make_article(slug=f"public-{i}", published_on=datetime.date(2010, 1, i + 1), actors=[japan])
    for i in range(10):
        make_article(slug=f"draft-{i}", actors=[japan], status=Article.Status.DRAFT)
        make_article(slug=f"withdrawn-{i}", actors=[japan], status=Article.Status.WITHDRAWN)
    assert _related(article, limit=10) == ["public-2", "public-1", "public-0"]


def test_an_untagged_article_has_no_related_articles():
    make_article(slug="other", actors=[make_actor()])
    assert _related(make_article(slug="alone")) == []


def test_only_each_tags_newest_articles_are_candidates_but_a_rare_tag_reaches_further(monkeypatch):
    # A popular tag's old articles are left out, so that the page's cost stays the same
    # whatever the tag's coverage; an old article sharing a rare tag still counts, with
    # every tag it shares. Two tags, six candidates: three each.
    monkeypatch.setattr(models, "RELATED_CANDIDATES", 6)
    popular, rare = make_actor(name="Popular"), make_territory(name="Rare Island")
    article = make_article(slug="summit", actors=[popular], territories=[rare])
    make_article(slug="old-rare", published_on=datetime.date(2000, 1, 1), actors=[popular], territories=[rare])
    for i in range(3):
        make_article(slug=f"old-{i}", published_on=datetime.date(2021, 1, 1), actors=[popular])
    for i in range(3):
        make_article(slug=f"new-{i}", published_on=datetime.date(2010, 1, i + 1), actors=[popular])
    # "Newest" is newest in the archive: the old-* articles, dated later, came in earlier.
    assert _related(article, limit=10) == ["old-rare", "new-2", "new-1", "new-0"]


def test_tags_are_read_from_the_articles_prefetch_when_there_is_one(django_assert_num_queries):
    japan = make_actor(name="Japan")
    make_article(slug="other", actors=[japan])
    make_article(slug="summit", actors=[japan], territories=[make_territory()])
    article = Article.objects.for_listing().get(slug="summit")
    with django_assert_num_queries(1):
        assert _related(article) == ["other"]
