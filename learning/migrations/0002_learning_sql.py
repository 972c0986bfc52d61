from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_learning_initial"),
        ("outcomes", "0004_learning_lineage_fold"),
        ("observability", "0006_app_role"),
    ]

    operations = [run_sql_file("learning"), run_sql_file("learning_compute")]
