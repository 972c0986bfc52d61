from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("hubs", "0005_phase6_sql_and_contracts")]

    operations = [run_sql_file("api_keys")]
