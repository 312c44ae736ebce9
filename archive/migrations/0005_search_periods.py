from django.db import migrations, models

from archive.search import schema


class Migration(migrations.Migration):
    """Period tokens in both full-text indexes (archive.search.plan), backfilled."""

    dependencies = [
        ("archive", "0004_unicode_slugs"),
    ]

    operations = [
        migrations.RunPython(schema.drop_v1, schema.recreate_v1),
        migrations.AddField(
            model_name="searchdocument",
            name="period",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(schema.create_v2, schema.drop_v2),
    ]
