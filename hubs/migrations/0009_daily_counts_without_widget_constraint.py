import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0008_api_key_counted_in_process"),
    ]

    operations = [
        migrations.AlterField(
            model_name="widgetdailyeventcount",
            name="widget",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="daily_event_counts",
                to="hubs.widget",
            ),
        ),
    ]
