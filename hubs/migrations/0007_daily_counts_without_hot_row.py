from django.db import migrations, models

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0006_api_key_function"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="widgetdailyeventcount",
            name="widget_daily_event_counts_widget_day_key",
        ),
        migrations.AddField(
            model_name="widgetdailyeventcount",
            name="partial",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddIndex(
            model_name="widgetdailyeventcount",
            index=models.Index(fields=["widget", "day"], name="widget_daily_counts_widget_idx"),
        ),
        migrations.AddIndex(
            model_name="widgetdailyeventcount",
            index=models.Index(
                condition=models.Q(("partial", True)),
                fields=["widget", "day"],
                name="widget_daily_counts_parts_idx",
            ),
        ),
        run_sql_file("interaction_event_rollup_parts"),
    ]
