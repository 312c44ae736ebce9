"""Importing raw articles into the archive: one file, one transaction.

The same function serves the `import_articles` command and the admin's upload page. Each
file is extracted (archive.ingest.extract), checked for duplicates, saved as a draft (or
published on request), scanned for tag suggestions and recorded in the article's history,
all inside one transaction: a file either lands whole or leaves nothing behind.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q

from archive import history
from archive.ingest.dates import latest_date
from archive.ingest.extract import MAX_BYTES, Extracted, ExtractionError, extract
from archive.ingest.tagging import NameTable, suggest_tags
from archive.models import Article, DatePrecision, Source, unique_slug

IMPORTED, UPDATED, DUPLICATE, FAILED = "imported", "updated", "duplicate", "failed"
# What a folder import picks up; a file named on the command line is always tried.
IMPORTABLE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml"}


@dataclass
class ImportResult:
    name: str
    status: str
    article: Article | None = None
    reason: str = ""

    def __str__(self):
        title = f" “{self.article.title}”" if self.article else ""
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.status:9} {self.name}{title}{reason}"


class Importer:
    """Imports many files with one name table and one list of known sources."""

    def __init__(self, *, publish=False, source: Source | None = None, update=False, user=None, via="import"):
        self.publish, self.source, self.update = publish, source, update
        # For the articles' history: who imports (None from the command line) and how.
        self.user, self.via = user, via
        self.names = NameTable()
        self.sources = {s.name.casefold(): s for s in Source.objects.all()}

    def import_path(self, path: Path) -> ImportResult:
        name = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                return ImportResult(name, FAILED, reason=f"file too large ({size:,} bytes; the limit is {MAX_BYTES:,})")
            data = path.read_bytes()
        except OSError as error:
            return ImportResult(name, FAILED, reason=f"cannot read the file ({error.strerror or error})")
        return self.import_bytes(data, name)

    def import_bytes(self, data: bytes, name: str) -> ImportResult:
        try:
            extracted = extract(data, filename=name, known_sources=[s.name for s in self.sources.values()])
        except ExtractionError as error:
            return ImportResult(name, FAILED, reason=str(error))
        try:
            with transaction.atomic():
                return self._save(extracted, name)
        except IntegrityError:
            # Another import saved the same canonical URL between our check and our save.
            return ImportResult(name, DUPLICATE, reason="imported at the same moment by another run")

    def _save(self, extracted: Extracted, name: str) -> ImportResult:
        fields = self._fields(extracted)
        candidate = Article(**fields)
        content_hash = candidate.compute_content_hash()
        same = Q(content_hash=content_hash)
        if extracted.canonical_url:
            same |= Q(canonical_url=extracted.canonical_url)
        existing = Article.objects.filter(same).select_for_update().order_by("pk").first()
        if existing is not None and not self.update:
            return ImportResult(name, DUPLICATE, existing, reason=f"already in the archive as {existing.slug}")
        if existing is not None:
            # --update refreshes the text and what was extracted with it; the status
            # changes only with --publish, and the editors' note is the editors'.
            for field, value in fields.items():
                if field == "editors_note" or (field == "status" and not self.publish):
                    continue
                if field == "source" and value is None:
                    continue
                setattr(existing, field, value)
            before = history.snapshots([existing.pk])
            existing.save()
            suggest_tags(existing, self.names)
            self._record(before, name)
            return ImportResult(name, UPDATED, existing)
        candidate.slug = unique_slug(Article, candidate.title)
        candidate.save()
        suggest_tags(candidate, self.names)
        self._record({candidate.pk: None}, name)
        return ImportResult(name, IMPORTED, candidate)

    def _record(self, before, name):
        # The file's name only: a folder on the importing machine means nothing to editors.
        history.record(before, user=self.user, via=f"{self.via} of {Path(name).name}")

    def _fields(self, extracted: Extracted) -> dict:
        notes = list(extracted.notes)
        source = self.source or self._source(extracted, notes)
        published_on = extracted.published_on
        if published_on is not None and published_on > latest_date():
            notes.append(f"The text dates it {published_on.isoformat()}, which is still to come: no date was set.")
            published_on = None
        precision = extracted.date_precision if published_on else DatePrecision.UNKNOWN
        return {
            "title": extracted.title[:500],
            "lead": extracted.lead,
            "body": extracted.body,
            "byline": extracted.byline[:300],
            "dateline": extracted.dateline[:100],
            "published_on": published_on,
            "date_precision": precision,
            "print_page": extracted.print_page[:50],
            "language": extracted.language[:16],
            "canonical_url": extracted.canonical_url[:1000],
            "source": source,
            "status": Article.Status.PUBLISHED if self.publish else Article.Status.DRAFT,
            "editors_note": "\n".join(["Imported automatically.", *notes]),
        }

    def _source(self, extracted: Extracted, notes: list[str]) -> Source | None:
        """The archive's source of that name, or a new one for a site not seen before."""
        if not extracted.source_name:
            notes.append("The text does not say who published it; no source was set.")
            return None
        known = self.sources.get(extracted.source_name.casefold())
        if known is not None:
            return known
        source = Source.objects.create(
            name=extracted.source_name[:200],
            slug=unique_slug(Source, extracted.source_name),
            kind=Source.Kind.OTHER,
            homepage=extracted.source_homepage[:200],
            description="Created by an import from the site's own name; please check its details.",
        )
        self.sources[source.name.casefold()] = source
        notes.append(f"New source “{source.name}” created from the site's name.")
        return source


def collect(paths) -> list[Path]:
    """The files to import: each named file, and the importable files inside each folder."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files += [
                    Path(root, n)
                    for n in sorted(names)
                    if not n.startswith(".") and Path(n).suffix.lower() in IMPORTABLE_SUFFIXES
                ]
        else:
            files.append(path)
    return files
