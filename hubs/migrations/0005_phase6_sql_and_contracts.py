from django.db import migrations

from ihf.sqlfiles import run_sql_file

ENVELOPE_1_0 = {
    "contract_version": "1.0",
    "required_attributes": ["data-ihf-widget", "data-ihf-hub", "data-ihf-view-context"],
    "optional_attributes": ["data-ihf-widget-type", "data-ihf-version"],
    "validation_rules": {
        "data-ihf-widget": {"format": "uuid", "description": "the widget's id in IHF"},
        "data-ihf-hub": {"format": "slug", "description": "the hub's slug"},
        "data-ihf-view-context": {
            "format": "text",
            "max_length": 500,
            "description": "where the widget is shown",
        },
    },
    "description": "Every element that renders an IHF widget carries these attributes.",
    "status": "active",
}
REPORTING_1_0 = {
    "contract_version": "1.0",
    "endpoint_path": "/api/v1/interaction-events",
    "accepted_event_types": [
        "viewed",
        "clicked",
        "submitted",
        "input_changed",
        "scrolled",
        "dismissed",
        "error",
        "retracted",
    ],
    "required_fields": ["widget_id", "event_type", "occurred_at"],
    "auth_scheme": "bearer",
    "description": 'POST one event or {"events": [...]} (up to 1,000) with an ingest key. Events with an id '
    "already stored are acknowledged, not stored again.",
    "status": "active",
}
ADAPTERS = [
    ("web-component", "vanilla", "A custom element that renders the envelope attributes on its host."),
    ("react", "react", "A <Widget> wrapper component that spreads the envelope attributes."),
    ("vue", "vue", "A v-ihf directive that sets the envelope attributes."),
    ("html", "vanilla", "Plain HTML: write the three attributes on the widget's element."),
]


def seed_contracts(apps, schema_editor):
    Envelope = apps.get_model("hubs", "EnvelopeEmissionContract")
    Reporting = apps.get_model("hubs", "InteractionReportingContract")
    Adapter = apps.get_model("hubs", "WidgetAdapterSpec")
    envelope, _ = Envelope.objects.get_or_create(contract_version="1.0", defaults=ENVELOPE_1_0)
    reporting, _ = Reporting.objects.get_or_create(contract_version="1.0", defaults=REPORTING_1_0)
    for name, framework, notes in ADAPTERS:
        Adapter.objects.get_or_create(
            name=name,
            defaults={
                "framework": framework,
                "version": "1.0",
                "envelope_contract": envelope,
                "reporting_contract": reporting,
                "status": "active",
                "notes": notes + " See docs/adapters.md.",
            },
        )


def unseed_contracts(apps, schema_editor):
    apps.get_model("hubs", "WidgetAdapterSpec").objects.filter(name__in=[a[0] for a in ADAPTERS]).delete()
    apps.get_model("hubs", "InteractionReportingContract").objects.filter(contract_version="1.0").delete()
    apps.get_model("hubs", "EnvelopeEmissionContract").objects.filter(contract_version="1.0").delete()


class Migration(migrations.Migration):
    dependencies = [("hubs", "0004_api_keys_and_contracts")]

    operations = [
        run_sql_file("phase6_indexes"),
        run_sql_file("interaction_event_rollup_retractions"),
        # Reference data the API cannot work without (not demo data): the contracts' first versions.
        migrations.RunPython(seed_contracts, unseed_contracts),
    ]
