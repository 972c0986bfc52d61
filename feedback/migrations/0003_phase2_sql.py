from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_triage_and_notifications")]

    operations = [
        run_sql_file("phase2_indexes"),
        run_sql_file("annotations_guard"),
        run_sql_file("triage_states_append_only"),
    ]
