from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("hubs", "0009_daily_counts_without_widget_constraint")]

    operations = [run_sql_file("api_keys_verified_count")]
