import importlib

from django.db import migrations, models

# An article's status is one of the three: what is not published is hidden by counting the
# draft and the withdrawn, and a status written past the form (loaddata, a restore, an
# update()) that is neither would count as published in the tags' numbers.
CONSTRAINT = models.CheckConstraint(
    condition=models.Q(status__in=["draft", "published", "withdrawn"]), name="article_status_valid"
)
# SQLite adds a constraint by copying the table into a new one, which drops the indexes
# that migrations made in SQL, outside Django's model state: 0009's.
order_index = importlib.import_module("archive.migrations.0009_article_order_index")


def hide_unknown_statuses(apps, schema_editor):
    """Any other status becomes a draft, hidden as it was meant to be, before the check."""
    Article = apps.get_model("archive", "Article")
    Article.objects.using(schema_editor.connection.alias).exclude(
        status__in=CONSTRAINT.condition.children[0][1]
    ).update(status="draft")


def recreate_order_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        order_index.drop(apps, schema_editor)
        order_index.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_article_order_index"),
    ]

    operations = [
        # Its reverse runs last, after the constraint's removal copied the table again.
        migrations.RunPython(migrations.RunPython.noop, recreate_order_index),
        migrations.RunPython(hide_unknown_statuses, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="article", constraint=CONSTRAINT),
        migrations.RunPython(recreate_order_index, migrations.RunPython.noop),
    ]
