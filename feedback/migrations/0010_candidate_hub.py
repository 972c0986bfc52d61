import django.db.models.deletion
from django.db import migrations, models

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    """Issue 21: the candidate's hub on the candidate, kept by a trigger, for the board of a busy hub."""

    dependencies = [
        ("feedback", "0009_steward_saved_views_and_inbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="requirementcandidate",
            name="hub",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="hubs.hub",
            ),
        ),
        run_sql_file("candidate_hub"),
    ]
