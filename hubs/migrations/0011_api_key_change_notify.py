from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("hubs", "0010_api_key_counted_when_verified")]

    operations = [run_sql_file("api_keys_notify")]
