"""Shared test setup: fast hashing, plain static files, and small factories for archive rows.

The same tests run on SQLite (the default) and on PostgreSQL (DATABASE_URL=postgres://...).
"""

import itertools
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.management import call_command

from archive.models import Actor, Article, Source, Territory, TerritoryName

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Hashed static names need collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    # Search keeps its table of names in the cache; each test starts with its own data.
    cache.clear()


@pytest.fixture
def seed_archive(db):
    """The five seed articles with their sources, actors and territories."""
    call_command("loaddata", "seed_archive", verbosity=0)


def make_source(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Source {n}")
    fields.setdefault("slug", f"source-{n}")
    return Source.objects.create(**fields)


def make_actor(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Actor {n}")
    fields.setdefault("slug", f"actor-{n}")
    fields.setdefault("kind", Actor.Kind.STATE)
    return Actor.objects.create(**fields)


def make_territory(*, names=(), **fields):
    n = next(_counter)
    fields.setdefault("name", f"Territory {n}")
    fields.setdefault("slug", f"territory-{n}")
    fields.setdefault("kind", Territory.Kind.ISLAND)
    territory = Territory.objects.create(**fields)
    for name in names:
        TerritoryName.objects.create(territory=territory, **name)
    return territory


def make_article(*, actors=(), territories=(), **fields):
    n = next(_counter)
    fields.setdefault("title", f"Article {n}")
    fields.setdefault("slug", f"article-{n}")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("lead", f"Lead paragraph of article {n}.")
    fields.setdefault("body", f"First paragraph of article {n}.\n\nSecond paragraph.")
    if "published_on" in fields and "date_precision" not in fields:
        fields["date_precision"] = "day"
    article = Article.objects.create(**fields)
    article.actors.set(actors)
    article.territories.set(territories)
    return article


def load_change_form(client, article, **changes):
    """What an editor's browser posts back from the article's change page, with `changes`.

    Read from the page as served, hidden version included, as a browser would send it.
    """
    page = client.get(f"/admin/archive/article/{article.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = [str(v) for v in value or ()] if name in ("actors", "territories") else value
    data = {name: "" if value is None else value for name, value in data.items()}
    return {**data, "_save": "Save", **changes}


# --- Reading pages as a reader would ------------------------------------------------------


class _Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        parts = [
            child if isinstance(child, str) else " " if child.tag == "br" else child.text() for child in self.children
        ]
        return " ".join("".join(parts).split())

    def find_all(self, tag=None, cls=None):
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                yield child
            yield from child.find_all(tag, cls)


class _TreeBuilder(HTMLParser):
    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = _Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in self._VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_page(response):
    """The response's HTML as a small tree with `find_all(tag, cls)` and `text()`."""
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def listed_titles(response):
    """The titles of the article cards on a page, in the order a reader sees them."""
    page = parse_page(response)
    return [title.text() for title in page.find_all("h3", cls="card__title")]


def facet_items(response, name):
    """One facet beside the article list: [(label, count, href, selected), ...]."""
    page = parse_page(response)
    for section in page.find_all("section", cls="facet"):
        heading = next(section.find_all("h2"))
        if heading.attrs.get("id") == f"facet-{name}":
            items = []
            for li in section.find_all("li"):
                link = next(li.find_all("a"))
                label = "".join(c for c in link.children if isinstance(c, str)).strip()
                count = int(next(li.find_all("span", cls="count")).text())
                items.append((label, count, link.attrs["href"], "is-selected" in li.classes))
            return items
    return []
