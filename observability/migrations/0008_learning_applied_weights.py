from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("observability", "0007_pages_indexes"), ("learning", "0002_learning_sql")]

    operations = [run_sql_file("friction_calibrated_learning")]
