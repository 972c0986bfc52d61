from django.db import migrations, models

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    """Issue 21: error counts in the daily rollup (for the deployment page) and a covering index for the
    hub list's monthly sums."""

    dependencies = [
        ("hubs", "0013_reporter_consent"),
    ]

    operations = [
        migrations.AddField(
            model_name="widgetdailyeventcount",
            name="error_count",
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.RemoveIndex(model_name="widgetdailyeventcount", name="widget_daily_counts_widget_idx"),
        migrations.AddIndex(
            model_name="widgetdailyeventcount",
            index=models.Index(
                fields=["widget", "day"], include=["event_count"], name="widget_daily_counts_cover_idx"
            ),
        ),
        run_sql_file("interaction_event_rollup_errors"),
    ]
