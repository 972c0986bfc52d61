from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    # The seed's long index names, the guards of the phase 5 history tables, the app role's rights on them,
    # and pgvector's HNSW index where the server has pgvector.
    dependencies = [
        ("assist", "0001_initial"),
        ("observability", "0006_app_role"),
    ]

    operations = [run_sql_file("assist")]
