"""An article's history: who changed what, when and how, field by field and tag by tag.

`record()` is the one writer of ArticleRevision rows. Every write path that changes an
article calls it, directly or through `recording()`: the admin form and its suggested-tag
buttons, the bulk actions (publish, withdraw, add an actor or a territory, accept
suggestions), and imports, from the command line and by upload. It compares snapshots
taken before and after the change, writes one revision for each article that changed, and
moves those articles on a version, so that an editor who has one of them open is told of
the change on saving instead of undoing it (Article.claim_version).
"""

from contextlib import contextmanager

from django.db import transaction
from django.db.models import F
from django.utils import timezone

# What an editor edits, in the order the change form shows it; not the content hash, the
# timestamps or the version, which follow from these.
TRACKED_FIELDS = (
    "title",
    "slug",
    "lead",
    "body",
    "byline",
    "dateline",
    "source",
    "published_on",
    "date_precision",
    "canonical_url",
    "print_page",
    "language",
    "status",
    "editors_note",
)
TAGS = ("actors", "territories")
_CHUNK = 500  # ids per IN (...), well inside SQLite's limit on query parameters


def snapshots(pks) -> dict:
    """{pk: snapshot} of these articles: tracked fields as JSON values, tag names as sets."""
    from archive.models import Article, ArticleActor, ArticleTerritory

    pks = list(pks)
    result = {}
    for start in range(0, len(pks), _CHUNK):
        chunk = pks[start : start + _CHUNK]
        for article in Article.objects.filter(pk__in=chunk).select_related("source").order_by():
            result[article.pk] = {field: _value(article, field) for field in TRACKED_FIELDS}
            result[article.pk].update(actors=set(), territories=set())
        links = [
            ("actors", ArticleActor.objects.filter(article__in=chunk).values_list("article_id", "actor__name")),
            (
                "territories",
                ArticleTerritory.objects.filter(article__in=chunk).values_list("article_id", "territory__name"),
            ),
        ]
        for kind, rows in links:
            for article_id, name in rows:
                result[article_id][kind].add(name)
    return result


def _value(article, field):
    if field == "source":
        return article.source.name if article.source_id else None
    if field == "published_on":
        return article.published_on.isoformat() if article.published_on else None
    return getattr(article, field)


def diff(before: dict | None, after: dict) -> dict:
    """What changed from `before` to `after`; `before` is None for a new article.

    {"fields": {name: [old, new]}, "actors": {"added": [...], "removed": [...]}, ...},
    with only the parts that changed, and "created": true for a new article.
    """
    created = before is None
    changes = {"created": True} if created else {}
    if created:
        before = {**dict.fromkeys(TRACKED_FIELDS), **{kind: set() for kind in TAGS}}
    # A new article lists the fields it was given; empty ones say nothing.
    fields = {
        field: [before[field], after[field]]
        for field in TRACKED_FIELDS
        if before[field] != after[field] and not (created and after[field] in ("", None))
    }
    if fields:
        changes["fields"] = fields
    for kind in TAGS:
        added, removed = sorted(after[kind] - before[kind]), sorted(before[kind] - after[kind])
        if added or removed:
            changes[kind] = {"added": added, "removed": removed}
    return changes


def record(before: dict, *, user=None, via: str, bump: bool = True) -> list:
    """Write a revision for each article in `before` ({pk: snapshot or None}) that changed.

    `user` is who did it (None for an import from the command line), `via` how: "admin
    form", "bulk action: publish", "import of report.html". `bump` moves the changed
    articles on a version; the admin form passes False, having claimed its version already.
    """
    from archive.models import Article, ArticleRevision

    if not before:
        return []
    after = snapshots(before.keys())
    who = user.get_username() if user is not None and user.is_authenticated else "import"
    now = timezone.now()
    revisions = []
    for pk, old in before.items():
        if pk not in after:
            continue  # deleted meanwhile: its revisions went with it
        changes = diff(old, after[pk])
        if changes:
            revisions.append(
                ArticleRevision(
                    article_id=pk,
                    user=user if who != "import" else None,
                    who=who,
                    via=via[:300],
                    created_at=now,
                    changes=changes,
                )
            )
    ArticleRevision.objects.bulk_create(revisions)
    if bump:
        changed = [r.article_id for r in revisions if not r.changes.get("created")]
        for start in range(0, len(changed), _CHUNK):
            Article.objects.filter(pk__in=changed[start : start + _CHUNK]).update(version=F("version") + 1)
    return revisions


@contextmanager
def recording(pks, *, user=None, via: str):
    """Record what the block changes in these articles, in one transaction with it."""
    with transaction.atomic():
        before = snapshots(pks)
        yield
        record(before, user=user, via=via)


def describe(changes: dict) -> list[str]:
    """The changes as lines an editor reads: 'Title: “Old” → “New”', 'Actors: + Japan'."""
    from archive.models import Article

    lines = ["Created."] if changes.get("created") else []
    for field, (old, new) in changes.get("fields", {}).items():
        label = str(Article._meta.get_field(field).verbose_name).capitalize()
        if changes.get("created"):
            lines.append(f"{label}: {_short(new)}")
        else:
            lines.append(f"{label}: {_short(old)} → {_short(new)}")
    for kind in TAGS:
        tags = changes.get(kind)
        if tags:
            marks = [f"+ {name}" for name in tags["added"]] + [f"− {name}" for name in tags["removed"]]
            lines.append(f"{kind.capitalize()}: {', '.join(marks)}")
    return lines


def _short(value, limit=80):
    if value in (None, ""):
        return "(empty)"
    text = " ".join(str(value).split())
    return f"“{text[: limit - 1]}…”" if len(text) > limit else f"“{text}”"
