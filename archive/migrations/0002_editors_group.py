"""The "Editors" group: exactly the permissions the editors' admin needs.

Editors add, change and view everything in the archive, and decide suggested tags. They may delete names and links
(an alias, a claim, a tag: removed inline), but never an article ("articles are withdrawn,
not deleted"), a source, an actor or a territory. Users and groups are for superusers only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"

EDITED = ["article", "source", "actor", "territory"]
NAMES_AND_LINKS = ["actorname", "territoryname", "claim", "articleactor", "articleterritory"]

# Suggested tags are made by scanning, never typed in: editors see and decide them.
DECIDED = ["tagsuggestion"]

CODENAMES = sorted(
    [f"{action}_{model}" for model in EDITED + NAMES_AND_LINKS for action in ("add", "change", "view")]
    + [f"delete_{model}" for model in NAMES_AND_LINKS]
    + [f"{action}_{model}" for model in DECIDED for action in ("change", "view")]
)


def create_editors_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are made by a post_migrate handler, after every migration has run: on a
    # fresh database they do not exist yet. create_permissions() skips an app without a
    # models module, which the migration state's apps never have, hence the flag.
    archive = apps.get_app_config("archive")
    models_module = getattr(archive, "models_module", None)
    archive.models_module = True
    try:
        create_permissions(archive, apps=apps, verbosity=0, using=using)
    finally:
        archive.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.using(using).filter(content_type__app_label="archive", codename__in=CODENAMES)
    )
    missing = set(CODENAMES) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"Permissions missing for the Editors group: {', '.join(sorted(missing))}")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.set(permissions)


def remove_editors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_editors_group, remove_editors_group),
    ]
