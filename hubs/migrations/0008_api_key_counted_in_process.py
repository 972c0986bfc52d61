from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("hubs", "0007_daily_counts_without_hot_row")]

    operations = [run_sql_file("api_keys_counted")]
