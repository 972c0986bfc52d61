from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    # Grants on every app's tables (and default privileges for later ones), and widget_versions' guard.
    dependencies = [
        ("observability", "0005_detectors_as_documented"),
        ("hubs", "0010_api_key_counted_when_verified"),
        ("feedback", "0005_candidate_requirement_and_summary"),
        ("governance", "0002_phase3_sql"),
        ("outcomes", "0002_phase4_sql"),
        ("procrastinate", "0001_initial"),
    ]

    operations = [run_sql_file("app_role")]
