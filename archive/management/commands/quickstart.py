"""`python manage.py quickstart`: from a fresh clone to a running archive in one command."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models import Article

EDITOR_USERNAME = "editor"
EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    help = (
        "Migrate the database, load the seed archive if it is empty, create an editor account "
        "if there is none, then serve the archive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the database and the editor account, then stop."
        )
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="Where to serve (default: 127.0.0.1:8000)."
        )

    def handle(self, *args, no_serve, addrport, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))

        if Article.objects.exists():
            self.stdout.write("The archive already has articles; the seed archive was not loaded.")
        else:
            call_command("loaddata", "seed_archive", verbosity=0)
            self.stdout.write(
                self.style.SUCCESS(f"Loaded the seed archive: {Article.objects.published().count()} articles.")
            )

        self._ensure_editor()

        if no_serve:
            return
        self.stdout.write(f"Serving Chancery on http://{addrport}/ (editors: http://{addrport}/admin/)")
        call_command("runserver", addrport, use_reloader=False)

    @transaction.atomic
    def _ensure_editor(self):
        """Create one editor account when no staff account exists; print its password once."""
        User = get_user_model()
        if User.objects.filter(is_staff=True).exists():
            self.stdout.write("An editor account already exists; none was created.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(EDITOR_USERNAME, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        self.stdout.write(
            self.style.SUCCESS(
                "Created an editor account for the admin at /admin/.\n"
                f"  user name: {EDITOR_USERNAME}\n"
                f"  password:  {password}\n"
                "This password is shown only now; keep it."
            )
        )
