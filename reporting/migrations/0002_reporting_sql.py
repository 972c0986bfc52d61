from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    # The KPI functions (seed 003) and the JSONL export functions.
    dependencies = [
        ("reporting", "0001_initial"),
        ("assist", "0002_assist_sql"),
    ]

    operations = [run_sql_file("kpis"), run_sql_file("exports")]
