"""`python manage.py suggest_tags [SLUG ...]`: scan articles for actors and territories to suggest."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.ingest.tagging import NameTable, suggest_tags
from archive.models import Article


class Command(BaseCommand):
    help = (
        "Scan articles for the names of actors and territories and store tag suggestions for "
        "editors (rejected ones stay rejected). With no slug, scans every draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Articles to scan (default: every draft).")
        parser.add_argument("--all", action="store_true", help="Scan every article, published ones included.")

    def handle(self, *args, slugs, all, verbosity, **options):
        articles = Article.objects.all() if all else Article.objects.filter(status=Article.Status.DRAFT)
        if slugs:
            articles = Article.objects.filter(slug__in=slugs)
            missing = set(slugs) - set(articles.values_list("slug", flat=True))
            if missing:
                raise CommandError("No article with the slug: " + ", ".join(sorted(missing)))
        table = NameTable()
        pending = scanned = 0
        for article in tqdm(articles.iterator(), total=articles.count(), disable=verbosity == 0, unit="article"):
            pending += suggest_tags(article, table)
            scanned += 1
        self.stdout.write(self.style.SUCCESS(f"Scanned {scanned} articles: {pending} suggestions pending."))
