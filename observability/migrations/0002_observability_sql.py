from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("observability", "0001_initial"),
        ("outcomes", "0002_phase4_sql"),
        ("feedback", "0005_candidate_requirement_and_summary"),
    ]

    operations = [run_sql_file("observability")]
