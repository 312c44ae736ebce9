"""`python manage.py export_archive FILE`: the whole archive in one JSON file."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import export_archive


class Command(BaseCommand):
    help = (
        "Write the whole archive (sources, actors, territories with their names and claims, "
        "articles with their tags, tag suggestions and history; not users) to one JSON file "
        "with natural keys, for restore_archive or loaddata."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the archive, e.g. chancery-2025-05-01.json.")

    def handle(self, *args, file, verbosity, **options):
        target = Path(file)
        if not target.parent.is_dir():
            raise CommandError(f"No such folder: {target.parent}")
        # Written beside the target and renamed at the end: an interrupted export never
        # leaves a truncated file under the name a restore would use.
        partial = target.with_name(target.name + ".partial")

        def progress(label, count):
            if verbosity:
                self.stdout.write(f"{label}: {count}")

        try:
            with partial.open("w", encoding="utf-8") as stream:
                counts = export_archive(stream, progress)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        articles = counts["archive.Article"]
        self.stdout.write(self.style.SUCCESS(f"Exported {articles} article{'s' * (articles != 1)} to {target}."))
