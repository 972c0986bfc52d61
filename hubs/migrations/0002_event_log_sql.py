from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("hubs", "0001_initial")]

    operations = [
        run_sql_file("phase1_indexes"),
        run_sql_file("interaction_events_append_only"),
        run_sql_file("interaction_event_rollup"),
    ]
