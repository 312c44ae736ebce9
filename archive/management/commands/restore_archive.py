"""`python manage.py restore_archive FILE`: an export_archive file into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from archive.backup import ArchiveNotEmpty, restore_archive


class Command(BaseCommand):
    help = (
        "Load a file written by export_archive into a database with no articles (a new one, "
        "after migrate), all or nothing, and rebuild the search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by export_archive.")

    def handle(self, *args, file, verbosity, **options):
        def progress(counts):
            if verbosity > 1:
                self.stdout.write(f"{sum(counts.values())} rows loaded")

        try:
            with open(file, encoding="utf-8") as stream:
                counts = restore_archive(stream, progress)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        except ArchiveNotEmpty as error:
            raise CommandError(
                f"The database already holds {error.args[0]} articles: restore_archive loads into an "
                "empty database only. Restore into a new database (migrate it first), or empty this "
                "one with `python manage.py flush` if you mean to replace it."
            ) from None
        except ValueError as error:
            raise CommandError(f"{file} is not an export_archive file: {error}") from None
        if verbosity:
            for label, count in counts.items():
                self.stdout.write(f"{label}: {count}")
        articles = counts.get("archive.Article", 0)
        self.stdout.write(
            self.style.SUCCESS(f"Restored {articles} article{'s' * (articles != 1)}; the search index is rebuilt.")
        )
