"""The data's own guarantees: named constraints, protected references, partial dates,
territory labels, content hashes and slugs."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from archive.models import Actor, Article, Claim, Source, Territory, TerritoryName
from tests.conftest import make_actor, make_article, make_source, make_territory

pytestmark = pytest.mark.django_db


def _violates(constraint_name, create):
    """`create()` is refused by the database for breaking `constraint_name`.

    Both databases name a violated CHECK constraint, and PostgreSQL a UNIQUE one too;
    SQLite lists a UNIQUE constraint's columns instead of its name.
    """
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        create()
    message = str(caught.value)
    assert constraint_name in message or message.startswith("UNIQUE constraint failed"), message


# --- Constraints ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "constraint"),
    [
        (Source, "source_slug_not_empty"),
        (Actor, "actor_slug_not_empty"),
        (Territory, "territory_slug_not_empty"),
    ],
)
def test_an_entity_with_an_empty_slug_is_refused(model, constraint):
    fields = {"name": "Nameless", "slug": ""}
    if model is not Source:
        fields["kind"] = model.Kind.choices[0][0]
    _violates(constraint, lambda: model.objects.create(**fields))


def test_an_article_with_an_empty_slug_is_refused():
    article = make_article()
    _violates("article_slug_not_empty", lambda: Article.objects.filter(pk=article.pk).update(slug=""))


def test_an_article_with_an_empty_title_is_refused():
    _violates("article_title_not_empty", lambda: make_article(title=""))


@pytest.mark.parametrize(
    ("published_on", "precision"),
    [
        (datetime.date(2016, 12, 15), "month"),
        (datetime.date(2017, 3, 1), "year"),
        (datetime.date(2017, 1, 2), "year"),
        (datetime.date(2015, 5, 16), "unknown"),
        (None, "day"),
        (None, "month"),
        (None, "year"),
    ],
    ids=[
        "month-with-day-15",
        "year-in-march",
        "year-on-2-january",
        "unknown-with-a-date",
        "day-without-date",
        "month-without-date",
        "year-without-date",
    ],
)
def test_a_date_that_disagrees_with_its_precision_is_refused(published_on, precision):
    _violates(
        "article_date_matches_precision",
        lambda: make_article(published_on=published_on, date_precision=precision),
    )


@pytest.mark.parametrize(
    ("published_on", "precision"),
    [
        (datetime.date(2015, 5, 16), "day"),
        (datetime.date(2016, 12, 1), "month"),
        (datetime.date(2017, 1, 1), "year"),
        (None, "unknown"),
    ],
)
def test_a_date_that_agrees_with_its_precision_is_accepted(published_on, precision):
    article = make_article(published_on=published_on, date_precision=precision)
    article.refresh_from_db()
    assert (article.published_on, article.date_precision) == (published_on, precision)


def test_two_articles_cannot_share_a_canonical_url():
    make_article(canonical_url="https://example.com/news/1")
    _violates("article_canonical_url_unique", lambda: make_article(canonical_url="https://example.com/news/1"))


def test_any_number_of_articles_may_have_no_canonical_url():
    make_article(canonical_url="")
    make_article(canonical_url="")
    assert Article.objects.filter(canonical_url="").count() == 2


@pytest.mark.parametrize(
    ("latitude", "longitude", "constraint"),
    [
        (Decimal("43.5"), None, "territory_coordinates_both_or_neither"),
        (None, Decimal("146.5"), "territory_coordinates_both_or_neither"),
        (Decimal("90.00001"), Decimal(0), "territory_latitude_range"),
        (Decimal("-90.5"), Decimal(0), "territory_latitude_range"),
        (Decimal(0), Decimal("180.5"), "territory_longitude_range"),
        (Decimal(0), Decimal("-180.00001"), "territory_longitude_range"),
    ],
)
def test_territory_coordinates_must_be_both_given_and_in_range(latitude, longitude, constraint):
    _violates(constraint, lambda: make_territory(latitude=latitude, longitude=longitude))


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(None, None), (Decimal("43.80000"), Decimal("146.00000")), (Decimal(-90), Decimal(180))],
)
def test_territory_coordinates_both_given_in_range_or_both_blank_are_accepted(latitude, longitude):
    territory = make_territory(latitude=latitude, longitude=longitude)
    territory.refresh_from_db()
    assert (territory.latitude, territory.longitude) == (latitude, longitude)


@pytest.mark.parametrize("kind", [Actor.Kind.STATE, Actor.Kind.INTERNATIONAL, Actor.Kind.ORGANISATION])
def test_only_a_person_may_act_for_a_state(kind):
    japan = make_actor(kind=Actor.Kind.STATE)
    _violates("actor_only_people_act_for_a_state", lambda: make_actor(kind=kind, state=japan))


def test_a_person_may_act_for_a_state():
    japan = make_actor(name="Japan", kind=Actor.Kind.STATE)
    abe = make_actor(name="Shinzo Abe", kind=Actor.Kind.PERSON, state=japan)
    assert abe.state == japan


def test_a_territory_cannot_be_part_of_itself():
    territory = make_territory()
    _violates(
        "territory_not_part_of_itself",
        lambda: Territory.objects.filter(pk=territory.pk).update(part_of=territory),
    )


def _form_errors(instance):
    """What an editor's form would say of `instance`: its full_clean() errors, by field."""
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("make", "fields", "message"),
    [
        (make_source, {"parent": "self"}, "An outlet cannot belong to itself."),
        (make_territory, {"part_of": "self"}, "A territory cannot be part of itself."),
        (make_territory, {"latitude": Decimal("43.5")}, "Give both the latitude and the longitude, or neither."),
        (make_actor, {"kind": Actor.Kind.STATE, "state": "a state"}, "Only a person acts for a state"),
        (make_article, {"published_on": datetime.date(2016, 5, 9), "date_precision": "month"}, "disagree"),
    ],
)
def test_a_broken_constraint_is_explained_in_words_not_named(make, fields, message):
    instance = make()
    stand_ins = {"self": instance, "a state": make_actor(kind=Actor.Kind.STATE) if "state" in fields else None}
    for name, value in fields.items():
        setattr(instance, name, stand_ins.get(value, value) if isinstance(value, str) else value)
    errors = str(_form_errors(instance))
    assert message in errors
    assert "Constraint “" not in errors


def test_a_second_article_with_the_same_canonical_url_is_explained():
    make_article(canonical_url="https://example.com/a")
    second = make_article(canonical_url="https://example.com/b")
    second.canonical_url = "https://example.com/a"
    errors = _form_errors(second)
    assert "Another article in the archive has this canonical URL." in str(errors)


@pytest.mark.parametrize(("make", "field"), [(make_source, "parent"), (make_territory, "part_of")])
def test_a_row_cannot_be_put_beneath_what_is_beneath_it(make, field):
    top = make(name="Top")
    middle = make(name="Middle", **{field: top})
    bottom = make(name="Bottom", **{field: middle})
    for above in (middle, bottom):  # directly, and through another
        setattr(top, field, above)
        assert list(_form_errors(top)) == [field]
        assert str(above) in _form_errors(top)[field][0]
    setattr(top, field, make(name="Elsewhere"))
    top.full_clean()  # anything not beneath it is fine


def test_a_state_that_people_outlets_or_territories_refer_to_stays_a_state():
    japan = make_actor(name="Japan", kind=Actor.Kind.STATE)
    make_actor(kind=Actor.Kind.PERSON, state=japan)
    make_actor(kind=Actor.Kind.PERSON, state=japan)
    make_source(country=japan)
    japan.kind = Actor.Kind.ORGANISATION
    assert _form_errors(japan) == {
        "kind": ["Japan stays a state while 2 people act for it and 1 outlet is based in it: change those first."]
    }
    make_territory(administered_by=japan)
    assert _form_errors(japan)["kind"] == [
        "Japan stays a state while 2 people act for it, 1 outlet is based in it and 1 territory is administered "
        "by it: change those first."
    ]
    alone = make_actor(kind=Actor.Kind.STATE)
    alone.kind = Actor.Kind.ORGANISATION
    alone.full_clean()  # nothing refers to it as a state
    alone.kind, alone.state = Actor.Kind.PERSON, alone
    assert _form_errors(alone) == {"state": ["An actor cannot act for itself."]}


def test_a_loop_made_before_does_not_stop_a_check():
    first, second = make_territory(), make_territory()
    Territory.objects.filter(pk=first.pk).update(part_of=second)
    Territory.objects.filter(pk=second.pk).update(part_of=first)
    third = make_territory()
    third.part_of = first
    third.full_clean()


# --- Protected references ------------------------------------------------------------------


def test_a_source_with_articles_cannot_be_deleted():
    source = make_source()
    make_article(source=source)
    with pytest.raises(ProtectedError):
        source.delete()


def test_a_source_without_articles_can_be_deleted():
    source = make_source()
    source.delete()
    assert not Source.objects.exists()


def test_an_actor_tagged_on_an_article_cannot_be_deleted():
    actor = make_actor()
    make_article(actors=[actor])
    with pytest.raises(ProtectedError):
        actor.delete()


def test_an_actor_tagged_only_on_a_draft_cannot_be_deleted_either():
    actor = make_actor()
    make_article(actors=[actor], status=Article.Status.DRAFT)
    with pytest.raises(ProtectedError):
        actor.delete()


def test_a_territory_tagged_on_an_article_cannot_be_deleted():
    territory = make_territory()
    make_article(territories=[territory])
    with pytest.raises(ProtectedError):
        territory.delete()


def test_a_claimant_state_cannot_be_deleted():
    russia = make_actor(name="Russia")
    territory = make_territory()
    Claim.objects.create(territory=territory, claimant=russia)
    with pytest.raises(ProtectedError):
        russia.delete()


def test_a_parent_territory_cannot_be_deleted():
    kurils = make_territory(name="Kuril Islands")
    make_territory(name="Iturup", part_of=kurils)
    with pytest.raises(ProtectedError):
        kurils.delete()


def test_deleting_an_article_keeps_its_actors_and_territories():
    actor, territory = make_actor(), make_territory()
    article = make_article(actors=[actor], territories=[territory])
    article.delete()
    assert Actor.objects.filter(pk=actor.pk).exists()
    assert Territory.objects.filter(pk=territory.pk).exists()


# --- Partial dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "precision", "display", "iso"),
    [
        (datetime.date(2015, 5, 16), "day", "16 May 2015", "2015-05-16"),
        (datetime.date(2016, 12, 1), "month", "December 2016", "2016-12"),
        (datetime.date(2017, 1, 1), "year", "2017", "2017"),
        (None, "unknown", "Date unknown", None),
    ],
)
def test_a_date_is_shown_exactly_as_precisely_as_it_is_known(published_on, precision, display, iso):
    article = make_article(published_on=published_on, date_precision=precision)
    assert article.date_display == display
    assert article.date_iso == iso


# --- Territory labels ----------------------------------------------------------------------


def test_a_disputed_territory_is_labelled_with_each_sides_preferred_name():
    japan = make_actor(name="Japan")
    russia = make_actor(name="Russia")
    territory = make_territory(
        name="Northern Territories",
        kind=Territory.Kind.DISPUTED,
        names=[
            {"name": "Northern Territories", "language": "en", "used_by": japan, "preferred": True},
            {"name": "Southern Kurils", "language": "en", "used_by": russia, "preferred": True},
            {"name": "Hoppō Ryōdo", "language": "ja", "used_by": japan},
            {"name": "Kuril Islands dispute", "language": "en"},
        ],
    )
    assert territory.label == "Northern Territories / Southern Kurils"
    assert str(territory) == "Northern Territories / Southern Kurils"


def test_a_territory_with_no_other_preferred_name_is_labelled_by_its_name():
    territory = make_territory(name="Iturup", names=[{"name": "Etorofu", "language": "ja"}])
    assert territory.label == "Iturup"


def test_a_territory_label_costs_no_query_once_names_are_prefetched(django_assert_num_queries):
    make_territory(name="Takeshima", names=[{"name": "Dokdo", "preferred": True}])
    territory = Territory.objects.with_names().get()
    with django_assert_num_queries(0):
        assert territory.label == "Takeshima / Dokdo"


def test_a_preferred_name_repeated_in_two_languages_appears_once_in_the_label():
    territory = make_territory(
        name="Senkaku Islands",
        names=[
            {"name": "Diaoyu Islands", "language": "en", "preferred": True},
            {"name": "Diaoyu Islands", "language": "zh-Latn", "preferred": True},
        ],
    )
    assert territory.label == "Senkaku Islands / Diaoyu Islands"
    assert TerritoryName.objects.filter(territory=territory).count() == 2


# --- Tags as lists read them ----------------------------------------------------------------


def _tags_of(article):
    return [a.name for a in article.tagged_actors], [t.label for t in article.tagged_territories]


def test_a_listed_article_carries_the_same_tags_in_the_same_order_as_the_database(django_assert_num_queries):
    zeta, alpha = make_actor(name="Zeta"), make_actor(name="Alpha")
    kurils = make_territory(
        name="Northern Territories",
        names=[
            {"name": "Southern Kurils", "preferred": True},
            {"name": "Northern Territories", "preferred": True},
            {"name": "Hoppō Ryōdo"},
        ],
    )
    rockall = make_territory(name="Rockall")
    first = make_article(actors=[zeta, alpha], territories=[rockall, kurils])
    second = make_article(actors=[zeta])
    third = make_article()
    expected = {
        a.pk: ([x.name for x in a.actors.all()], [t.label for t in a.territories.all()]) for a in (first, second, third)
    }
    assert expected[first.pk] == (["Alpha", "Zeta"], ["Northern Territories / Southern Kurils", "Rockall"])
    # The articles, then their actors, territories and territories' preferred names.
    with django_assert_num_queries(4):
        listed = list(Article.objects.for_listing())
        assert {a.pk: _tags_of(a) for a in listed} == expected
    # An actor on two articles is one instance; what a tag does not show is read on access.
    by_pk = {a.pk: a for a in listed}
    assert by_pk[first.pk].tagged_actors[1] is by_pk[second.pk].tagged_actors[0]
    Actor.objects.filter(pk=zeta.pk).update(description="A state.")
    with django_assert_num_queries(1):
        assert by_pk[second.pk].tagged_actors[0].description == "A state."


def test_an_iterated_listing_reads_tags_a_chunk_at_a_time(django_assert_num_queries):
    actor = make_actor(name="Japan")
    for _ in range(5):
        make_article(actors=[actor])
    # One query for the articles, read in three chunks (chunk_size=2), then each chunk's
    # actors and territories (none, so no query for their names).
    with django_assert_num_queries(7):
        tags = [_tags_of(article) for article in Article.objects.for_listing().iterator(chunk_size=2)]
    assert tags == [(["Japan"], [])] * 5


def test_an_article_not_read_by_a_list_reads_its_tags_from_the_database():
    actor = make_actor(name="Russia")
    article = make_article(actors=[actor])
    fetched = Article.objects.get(pk=article.pk)
    assert _tags_of(fetched) == (["Russia"], [])


# --- Content hash --------------------------------------------------------------------------


def test_the_content_hash_changes_when_the_text_changes():
    article = make_article(title="Talks resume", lead="Envoys met.", body="They talked.")
    before = article.content_hash
    article.body = "They talked at length."
    article.save()
    assert article.content_hash != before
    assert len(article.content_hash) == 64


def test_the_content_hash_ignores_case_and_spacing():
    first = make_article(title="Talks resume", lead="Envoys met.", body="They talked.\n\nNo deal.")
    second = make_article(title="  TALKS   resume ", lead="envoys MET.", body="They   talked.\n\n\nno deal.  ")
    assert first.content_hash == second.content_hash


def test_the_content_hash_is_kept_fresh_when_saving_only_the_text():
    article = make_article(title="Talks resume")
    article.title = "Talks collapse"
    article.save(update_fields=["title"])
    article.refresh_from_db()
    assert article.content_hash == article.compute_content_hash()
    assert (
        article.content_hash == make_article(title="Talks collapse", lead=article.lead, body=article.body).content_hash
    )


# --- Slugs ---------------------------------------------------------------------------------


def test_an_article_without_a_slug_gets_one_from_its_title():
    article = make_article(title="Abe and Putin meet in Nagato", slug="")
    assert article.slug == "abe-and-putin-meet-in-nagato"


def test_articles_with_the_same_title_get_distinct_slugs():
    slugs = [make_article(title="Talks resume", slug="").slug for _ in range(3)]
    assert slugs == ["talks-resume", "talks-resume-2", "talks-resume-3"]


def test_a_slug_from_a_long_title_fits_its_column_even_when_numbered():
    title = "Talks " * 80
    slugs = [make_article(title=title, slug="").slug for _ in range(2)]
    assert slugs[1] == f"{slugs[0]}-2"
    assert all(len(slug) <= 200 for slug in slugs)


def test_an_article_whose_title_has_no_latin_letters_keeps_its_letters_in_its_slug():
    from urllib.parse import quote

    article = make_article(title="北方領土", slug="")
    assert article.slug == "北方領土"
    assert article.get_absolute_url() == f"/articles/{quote(article.slug)}/"


def test_an_article_keeps_its_slug_when_its_title_changes():
    article = make_article(title="Talks resume", slug="")
    article.title = "Talks collapse"
    article.save()
    article.refresh_from_db()
    assert article.slug == "talks-resume"


def test_two_articles_cannot_share_a_slug():
    make_article(slug="talks")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(slug="talks")


def test_an_article_status_is_one_of_the_three_whatever_writes_it():
    # Unpublished articles are hidden from the tags' numbers by counting the draft and
    # the withdrawn: a status of any other name would be counted as published.
    (constraint,) = [c for c in Article._meta.constraints if c.name == "article_status_valid"]
    assert constraint.condition.children == [("status__in", Article.Status.values)]
    article = make_article(slug="talks")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="scheduled")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
