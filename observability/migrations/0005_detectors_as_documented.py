from django.db import migrations

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("observability", "0004_propagation_resolved_at"),
        ("outcomes", "0002_phase4_sql"),
    ]

    operations = [run_sql_file("detectors_as_documented")]
