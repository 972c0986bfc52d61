from django.db import migrations, models

from ihf.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("hubs", "0012_webhook_url_public_only")]

    operations = [
        migrations.AddField(
            model_name="hub",
            name="reporter_consent_required",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="IHF then refuses events and annotations sent without the person's consent (the "
                "reporter sends nothing before the page calls consent(true); API clients send "
                '"consent": true).',
                verbose_name="Require the person's consent before reporting",
            ),
        ),
        run_sql_file("api_keys_consent"),
    ]
