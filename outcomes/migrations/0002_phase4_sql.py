from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial"), ("governance", "0002_phase3_sql")]

    operations = [
        run_sql_file("phase4_indexes"),
        run_sql_file("outcomes_guards"),
        run_sql_file("lineage_enrichment"),
    ]
