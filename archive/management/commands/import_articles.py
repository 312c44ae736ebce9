"""`python manage.py import_articles PATH [PATH ...]`: raw web articles in, drafts out."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.ingest.importer import DUPLICATE, FAILED, IMPORTED, UPDATED, Importer, collect
from archive.models import Source


class Command(BaseCommand):
    help = (
        "Import articles from text or HTML files (or folders of them) as drafts: page clutter "
        "removed, metadata extracted, duplicates skipped, tags suggested. Exits non-zero if any "
        "file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders to search for .txt and .html files.")
        parser.add_argument("--publish", action="store_true", help="Publish the imported articles at once.")
        parser.add_argument("--source", help="Slug of the source to give every imported article.")
        parser.add_argument(
            "--update", action="store_true", help="Refresh articles already in the archive instead of skipping them."
        )

    def handle(self, *args, paths, publish, source, update, verbosity, **options):
        if source is not None:
            try:
                source = Source.objects.get(slug=source)
            except Source.DoesNotExist:
                raise CommandError(f"No source with the slug “{source}”; see /sources/ for the list.") from None
        files = collect(paths)
        missing = [str(p) for p in files if not p.exists()]
        if missing:
            raise CommandError("Not found: " + ", ".join(missing))
        if not files:
            raise CommandError("No .txt or .html files found.")

        importer = Importer(publish=publish, source=source, update=update)
        totals = {IMPORTED: 0, UPDATED: 0, DUPLICATE: 0, FAILED: 0}
        # A progress bar on stderr for long runs; one line per file on stdout.
        progress = tqdm(files, unit="file", disable=len(files) < 20 or verbosity == 0, file=sys.stderr)
        for path in progress:
            result = importer.import_path(path)
            totals[result.status] += 1
            if verbosity:
                style = self.style.ERROR if result.status == FAILED else None
                self.stdout.write(str(result), style)
        summary = ", ".join(f"{count} {status}" for status, count in totals.items())
        self.stdout.write(self.style.SUCCESS(f"Done: {summary}.") if not totals[FAILED] else f"Done: {summary}.")
        if totals[FAILED]:
            raise CommandError(f"{totals[FAILED]} of {len(files)} files could not be imported (see above).")
