"""The whole archive as one JSON file, and back: `export_archive` and `restore_archive`.

The file is a JSON array in Django's serialization format with natural keys (slugs), one
object per line: `loaddata` and `json.load` read it whole, and `restore_archive` reads it a
line at a time, so neither writing nor reading holds the archive in memory. Rows come in
an order fixed by their natural keys, not by ids, so exporting a restored archive gives
the same file byte for byte.

Users are not exported; an article's history keeps each change's user name (`who`) and
loses only the link to the user row. The search index is derived data: a restore
rebuilds it.
"""

import datetime
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F

from archive.models import (
    Actor,
    ActorName,
    Article,
    ArticleActor,
    ArticleRevision,
    ArticleTerritory,
    Claim,
    Source,
    TagSuggestion,
    Territory,
    TerritoryName,
)
from archive.search.index import index_articles

_CHUNK = 500


def _nulls_first(*names):
    return [F(name).asc(nulls_first=True) for name in names]


# Load order: each model after those its required foreign keys point to. Optional ones
# (a source's parent, a person's state, a territory's part_of) may point forward; the
# restore fills them in at the end. (model, the foreign keys to join, ordering, fields).
PARTS = [
    (Actor, ["state"], ["slug"], None),
    (ActorName, ["actor"], ["actor__slug", "name", "language"], None),
    (Territory, ["part_of", "administered_by"], ["slug"], None),
    (Claim, ["territory", "claimant"], ["territory__slug", "claimant__slug"], None),
    (TerritoryName, ["territory", "used_by"], ["territory__slug", "name", "language"], None),
    (Source, ["country", "parent"], ["slug"], None),
    (Article, ["source"], ["slug"], None),
    (ArticleActor, ["article", "actor"], ["article__slug", "actor__slug"], None),
    (ArticleTerritory, ["article", "territory"], ["article__slug", "territory__slug"], None),
    (
        TagSuggestion,
        ["article", "actor", "territory"],
        _nulls_first("article__slug", "actor__slug", "territory__slug"),
        None,
    ),
    # Not the user: users are not exported, and `who` keeps the name.
    (
        ArticleRevision,
        ["article"],
        ["article__slug", "created_at", "pk"],
        ["article", "who", "via", "created_at", "changes"],
    ),
]


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but with timestamps to the microsecond (it keeps milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)


def export_archive(stream, progress=None) -> dict:
    """Write the archive to `stream` (text); returns {model label: rows written}."""
    counts = {}
    # One consistent snapshot of a database others may be writing to.
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        stream.write("[")
        first = True
        for model, related, ordering, fields in PARTS:
            rows = model._default_manager.select_related(*related).order_by(*ordering)
            n = 0
            batch = []
            for obj in rows.iterator(chunk_size=_CHUNK):
                batch.append(obj)
                if len(batch) == _CHUNK:
                    first = _write(stream, batch, fields, first)
                    n += len(batch)
                    batch = []
            if batch:
                first = _write(stream, batch, fields, first)
                n += len(batch)
            counts[model._meta.label] = n
            if progress:
                progress(model._meta.label, n)
        stream.write("\n]\n")
    return counts


def _write(stream, objects, fields, first) -> bool:
    data = serializers.serialize(
        "python", objects, fields=fields, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    for item in data:
        # Rows without a natural key (suggestions, revisions) get new ids on restore;
        # leaving theirs out keeps the file independent of ids.
        item.pop("pk", None)
        stream.write("\n" if first else ",\n")
        # Sorted keys: PostgreSQL's jsonb keeps JSON fields' keys in its own order, SQLite
        # in the order written, and the same archive must give the same file from either.
        stream.write(json.dumps(item, cls=_Encoder, ensure_ascii=False, sort_keys=True))
        first = False
    return first


class ArchiveNotEmpty(Exception):
    pass


def restore_archive(stream, progress=None) -> dict:
    """Load an export into a database without articles, in one transaction.

    Raises ArchiveNotEmpty if there are articles already: natural keys would merge the
    two archives row by row, which is not a restore.
    """
    counts = {}
    deferred = []
    with transaction.atomic():
        existing = Article.objects.count()
        if existing:
            raise ArchiveNotEmpty(existing)
        for batch in _batches(stream):
            for obj in serializers.deserialize("python", batch, handle_forward_references=True):
                obj.save()
                if obj.deferred_fields:
                    deferred.append(obj)
                label = obj.object._meta.label
                counts[label] = counts.get(label, 0) + 1
            if progress:
                progress(counts)
        for obj in deferred:
            obj.save_deferred_fields()
        index_articles(Article.objects.iterator(chunk_size=_CHUNK))
    return counts


def _batches(stream):
    """Lists of up to _CHUNK objects, read a line at a time from an exported file."""
    batch = []
    for number, line in enumerate(stream, 1):
        text = line.strip().removesuffix(",")
        if text in ("", "[", "]"):
            continue
        try:
            batch.append(json.loads(text))
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number} is not an exported row: {error.msg}") from None
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
