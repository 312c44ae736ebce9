# The messages editors read when a form breaks a constraint, instead of its name. Django
# keeps them in its own state only: no SQL is run.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0011_reindex_soft_hyphens"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="actor",
            name="actor_only_people_act_for_a_state",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__isnull", True), ("kind", "person"), _connector="OR"),
                name="actor_only_people_act_for_a_state",
                violation_error_message="Only a person acts for a state: leave the state empty, or make the kind person.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="article",
            name="article_canonical_url_unique",
            constraint=models.UniqueConstraint(
                condition=models.Q(("canonical_url", ""), _negated=True),
                fields=("canonical_url",),
                name="article_canonical_url_unique",
                violation_error_message="Another article in the archive has this canonical URL.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="article",
            name="article_date_matches_precision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "unknown"), ("published_on__isnull", True)),
                    models.Q(("date_precision", "day"), ("published_on__isnull", False)),
                    models.Q(("date_precision", "month"), ("published_on__day", 1), ("published_on__isnull", False)),
                    models.Q(
                        ("date_precision", "year"),
                        ("published_on__day", 1),
                        ("published_on__isnull", False),
                        ("published_on__month", 1),
                    ),
                    _connector="OR",
                ),
                name="article_date_matches_precision",
                violation_error_message="The date and its precision disagree: no date is an unknown date, and a month or a year is given as its first day.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="source",
            name="source_not_own_parent",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("pk")), _negated=True),
                name="source_not_own_parent",
                violation_error_message="An outlet cannot belong to itself.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="territory",
            name="territory_not_part_of_itself",
            constraint=models.CheckConstraint(
                condition=models.Q(("part_of", models.F("pk")), _negated=True),
                name="territory_not_part_of_itself",
                violation_error_message="A territory cannot be part of itself.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="territory",
            name="territory_latitude_range",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__isnull", True), models.Q(("latitude__gte", -90), ("latitude__lte", 90)), _connector="OR"
                ),
                name="territory_latitude_range",
                violation_error_message="A latitude is between -90 and 90.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="territory",
            name="territory_longitude_range",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("longitude__isnull", True),
                    models.Q(("longitude__gte", -180), ("longitude__lte", 180)),
                    _connector="OR",
                ),
                name="territory_longitude_range",
                violation_error_message="A longitude is between -180 and 180.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="territory",
            name="territory_coordinates_both_or_neither",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("latitude__isnull", True), ("longitude__isnull", True)),
                    models.Q(("latitude__isnull", False), ("longitude__isnull", False)),
                    _connector="OR",
                ),
                name="territory_coordinates_both_or_neither",
                violation_error_message="Give both the latitude and the longitude, or neither.",
            ),
        ),
    ]
