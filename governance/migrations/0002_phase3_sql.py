from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial"), ("feedback", "0005_candidate_requirement_and_summary")]

    operations = [
        run_sql_file("phase3_indexes"),
        run_sql_file("decision_records_guard"),
    ]
