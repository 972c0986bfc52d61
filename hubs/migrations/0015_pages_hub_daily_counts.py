import django.db.models.deletion
from django.db import migrations, models

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    """Issue 21: per-hub daily totals of the folded rollup, for the hub list."""

    dependencies = [
        ("hubs", "0014_pages_rollup_errors"),
    ]

    operations = [
        migrations.CreateModel(
            name="HubDailyEventCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("event_count", models.BigIntegerField(default=0)),
                (
                    "hub",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="daily_event_counts",
                        to="hubs.hub",
                    ),
                ),
            ],
            options={
                "db_table": "hub_daily_event_counts",
                "constraints": [
                    models.UniqueConstraint(fields=("hub", "day"), name="hub_daily_event_counts_hub_day_key")
                ],
            },
        ),
        run_sql_file("hub_daily_event_counts"),
    ]
