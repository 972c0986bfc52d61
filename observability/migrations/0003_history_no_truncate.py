from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    # The SQL puts a trigger on a history table of every app, so it runs after each app's latest migration.
    dependencies = [
        ("observability", "0002_observability_sql"),
        ("hubs", "0009_daily_counts_without_widget_constraint"),
        ("feedback", "0005_candidate_requirement_and_summary"),
        ("governance", "0002_phase3_sql"),
        ("outcomes", "0002_phase4_sql"),
    ]

    operations = [run_sql_file("history_no_truncate")]
