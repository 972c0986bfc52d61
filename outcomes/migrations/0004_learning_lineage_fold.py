from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_pages_indexes"),
        ("feedback", "0005_candidate_requirement_and_summary"),
    ]

    operations = [run_sql_file("lineage_enrichment_learning")]
