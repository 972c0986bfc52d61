import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from feedback.models import Annotation, NotificationOutcome, RequirementCandidate, TriageState
from hubs.models import Hub, HubMembership, InteractionEvent, Widget, WidgetDailyEventCount, WidgetVersion
from ihf.models import User
from learning.models import InstitutionalKnowledgeEntry, PatternPerformanceRecord
from outcomes.models import DeploymentRecord, OutcomeSignal, Regression, RemediationEvent
from wiring import demo, demo_assist

SMALL = {"widgets_per_hub": 3, "events": 1500, "annotations": 40}


def _snapshot():
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(string_agg(id::text, ',' ORDER BY id)) FROM interaction_events")
        events_digest = cursor.fetchone()[0]
    return {
        "users": User.objects.count(),
        "hubs": Hub.objects.count(),
        "memberships": HubMembership.objects.count(),
        "widgets": Widget.objects.count(),
        "versions": WidgetVersion.objects.count(),
        "events": InteractionEvent.objects.count(),
        "events_digest": events_digest,
        "rollup": sum(WidgetDailyEventCount.objects.values_list("event_count", flat=True)),
        # Those of the requested size; phase 5's demo (wiring/demo_assist.py) marks the ones it adds.
        "annotations": Annotation.objects.exclude(widget_state_ref=demo_assist.MARK).count(),
        "phase5_annotations": Annotation.objects.filter(widget_state_ref=demo_assist.MARK).count(),
        "candidates": RequirementCandidate.objects.count(),
        "triage": TriageState.objects.count(),
        "deployments": DeploymentRecord.objects.count(),
        "status_events": RemediationEvent.objects.count(),
        "signals": OutcomeSignal.objects.count(),
        "regressions": Regression.objects.count(),
        # The learning loop's past (decisions with a pattern) has regressions of its own.
        "designed_regressions": Regression.objects.filter(deployment__decision__pattern__isnull=True).count(),
        "notifications": NotificationOutcome.objects.count(),
        "knowledge": InstitutionalKnowledgeEntry.objects.count(),
        "pattern_snapshots": PatternPerformanceRecord.objects.count(),
    }


@pytest.mark.django_db
def test_it_builds_the_demo_and_a_second_run_changes_nothing(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", **SMALL)
    first = _snapshot()
    output = capsys.readouterr().out
    assert "events    1,500 / 1,500" in output
    assert first["hubs"] == len(demo.HUBS) >= 5
    assert first["widgets"] == 3 * len(demo.HUBS)
    assert first["versions"] >= first["widgets"]
    assert first["events"] == first["rollup"] == 1500
    # The requested annotations, plus one per hub that follows its improved deployment (a regression).
    assert 40 <= first["annotations"] <= 40 + len(demo.HUBS)
    assert first["deployments"] > 0 and first["designed_regressions"] == first["annotations"] - 40
    assert first["knowledge"] == 6 * len(demo.HUBS) and first["pattern_snapshots"] > 0
    assert first["memberships"] == 3 * len(demo.HUBS)
    assert first["phase5_annotations"] > 0  # paraphrased threads and annotations IHF categorised

    call_command("seed_demo", **SMALL)
    assert _snapshot() == first
    assert "0 new" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_creates_the_demo_users_with_their_roles(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", **SMALL)
    admin = User.objects.get(email="admin@ihf.local")
    assert admin.is_superuser and admin.is_staff
    for role in ["steward", "reviewer", "viewer"]:
        user = User.objects.get(email=f"{role}@ihf.local")
        assert set(user.memberships.values_list("role", flat=True)) == {role}
        assert user.memberships.count() == len(demo.HUBS)
    assert client.login(username="steward@ihf.local", password=demo.PASSWORD)


@pytest.mark.django_db
def test_widget_versions_match_the_widgets(settings):
    settings.DEBUG = True
    call_command("seed_demo", **SMALL)
    for widget in Widget.objects.all():
        latest = widget.versions.order_by("-version").first()
        assert latest.version == widget.version
        assert latest.schema_snapshot == widget.snapshot()


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo", **SMALL)
    assert Hub.objects.count() == 0
    call_command("seed_demo", force=True, **SMALL)
    assert Hub.objects.count() == len(demo.HUBS)


@pytest.mark.django_db
def test_it_rejects_nonsense_sizes(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--events must be at least 1"):
        call_command("seed_demo", widgets_per_hub=1, events=0, annotations=0)
    assert Hub.objects.count() == 0
