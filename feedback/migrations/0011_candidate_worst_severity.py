from django.db import migrations, models

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    """Issue 21: each candidate's worst open severity, kept by triggers, for the board of a busy hub."""

    dependencies = [
        ("feedback", "0010_candidate_hub"),
    ]

    operations = [
        migrations.AddField(
            model_name="requirementcandidate",
            name="worst_severity_rank",
            field=models.SmallIntegerField(default=0, editable=False),
        ),
        run_sql_file("candidate_worst_severity"),
    ]
