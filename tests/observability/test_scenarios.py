"""The detectors against planted truth (tests/observability/scenario.py): a new seed every run, so the
rules are checked on data these tests were not tuned to. Set IHF_SCENARIO_SEED to replay a failure."""

import os
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Annotation
from observability import compute
from observability.models import BottleneckRecord, CrossHubPropagation, HubHealthSnapshot, PropagationStatus
from tests.factories import AnnotationFactory, HubFactory, WidgetFactory
from tests.observability.judging import score, unchanged_on_rerun
from tests.observability.scenario import Scenario, is_filler, lexeme

SEED = int(os.environ.get("IHF_SCENARIO_SEED") or time.time_ns() % 2**32)
GOAL = 0.95


@pytest.mark.django_db
def test_every_detector_finds_what_was_planted_and_nothing_else():
    scenario = Scenario(SEED, hubs=3, per_stage=8, clusters=3).build()
    compute.refresh_all()
    report = score(scenario)
    assert len(report) == 9 and all(
        figures["planted"] for name, figures in report.items() if "bottleneck" in name
    )
    for name, figures in report.items():
        assert figures["precision"] >= GOAL and figures["recall"] >= GOAL, f"seed {SEED}, {name}: {figures}"

    before = unchanged_on_rerun()
    friction, bottlenecks, _health, propagation = compute.refresh_all()
    assert bottlenecks.detail == "0 opened, 0 re-rated, 0 resolved", f"seed {SEED}"
    assert propagation.rows == 0 and friction.rows == len(scenario.widgets)
    assert unchanged_on_rerun() == before, f"seed {SEED}: a second run changed something"


@pytest.mark.django_db
def test_resolutions_stick_until_there_is_new_evidence(people):
    scenario = Scenario(SEED, hubs=3, per_stage=3, clusters=1).build()
    compute.refresh_all()
    cluster = CrossHubPropagation.objects.get(pattern_type="annotation_cluster")
    kind = CrossHubPropagation.objects.get(
        pattern_type="widget_type_friction", fingerprint__endswith="planted-red"
    )
    bottleneck = BottleneckRecord.objects.filter(resolved_at__isnull=True).first()
    assert cluster.act(actor=people.steward, status=PropagationStatus.RESOLVED, note="fixed in all hubs")
    assert kind.act(actor=people.steward, status=PropagationStatus.RESOLVED, note="known")
    assert bottleneck.resolve(actor=people.steward, note="handled elsewhere")

    compute.refresh_all()
    assert not CrossHubPropagation.objects.exclude(status="resolved").filter(
        fingerprint__in=[cluster.fingerprint, kind.fingerprint]
    ), f"seed {SEED}: a resolved pattern came back without new evidence"
    assert not BottleneckRecord.objects.filter(
        stage=bottleneck.stage, subject_id=bottleneck.subject_id, resolved_at__isnull=True
    )

    # New evidence: an annotation of the cluster written after the resolution; a third hub's red widget.
    body = next(
        a.body for a in Annotation.objects.filter(widget__widget_type="card") if _in_cluster(a, cluster)
    )
    # Only the cluster's own words: the source annotation's filler words would make a pair with it (when it
    # is of another hub) a pattern of other words.
    body = " ".join(word for word in body.split() if not is_filler(word))
    # The application's time, as in a request (the test's transaction fixes PostgreSQL's now()).
    AnnotationFactory(
        widget=WidgetFactory(hub_id=cluster.affected_hub_ids[0]),
        body=body,
        severity="low",
        created_at=timezone.now(),
    )
    third = next(h for h in scenario.hubs if str(h.pk) not in kind.affected_hub_ids)
    red = WidgetFactory(hub=third, widget_type="planted-red")
    for _ in range(8):
        AnnotationFactory(widget=red, severity="critical")
    compute.refresh_all()
    assert CrossHubPropagation.objects.filter(fingerprint=cluster.fingerprint, status="open").count() == 1, (
        f"seed {SEED}: new evidence did not reopen the pattern"
    )
    reopened = CrossHubPropagation.objects.get(fingerprint=kind.fingerprint, status="open")
    assert str(third.pk) in reopened.affected_hub_ids


def _in_cluster(annotation, pattern):
    words = pattern.fingerprint.split(":", 1)[1].split()
    return all(
        word in {lexeme(token) for token in annotation.body.split() if token.isalpha()} for word in words
    )


@pytest.mark.django_db
def test_an_acknowledged_pattern_stays_one_pattern(people):
    Scenario(SEED, hubs=2, per_stage=1, clusters=1).build()
    compute.refresh_all()
    pattern = CrossHubPropagation.objects.filter(pattern_type="annotation_cluster").first()
    assert pattern.act(actor=people.steward, status=PropagationStatus.ACKNOWLEDGED, note="looking")
    compute.refresh_all()
    assert CrossHubPropagation.objects.filter(fingerprint=pattern.fingerprint).count() == 1
    pattern.refresh_from_db()
    assert pattern.status == "acknowledged" and pattern.resolved_at is None


@pytest.mark.django_db
def test_the_stemming_examples_of_the_docs_come_out_as_written():
    assert {lexeme(w) for w in ["crashes", "crashed", "crashing"]} == {"crash"}
    assert lexeme("breaks") != lexeme("broke")
    first, second = HubFactory(), HubFactory()
    for hub in (first, second):
        AnnotationFactory(
            widget=WidgetFactory(hub=hub), body="The dialog cannot be reached with the keyboard alone, ok?"
        )
    compute.refresh_all()
    pattern = CrossHubPropagation.objects.get(pattern_type="annotation_cluster")
    # People read the words they wrote; "ok" (two letters) is not one of the shared words.
    assert pattern.summary == "Similar annotations in 2 hubs: alone, cannot, dialog, keyboard, reached"
    assert pattern.fingerprint == "annotation_cluster:alon cannot dialog keyboard reach"


@pytest.mark.django_db
def test_health_counts_the_friction_of_the_same_run(people):
    hot = WidgetFactory(hub=people.hub)
    for _ in range(9):
        AnnotationFactory(widget=hot, severity="critical")
    compute.refresh_all()
    latest = HubHealthSnapshot.objects.filter(hub=people.hub).latest("computed_at")
    assert latest.high_friction_widgets == 1


@pytest.mark.django_db
def test_pages_say_when_their_numbers_were_computed(client, people):
    WidgetFactory(hub=people.hub)
    client.force_login(people.steward)
    before = client.get(reverse("observability:heatmap", args=[people.hub.slug])).content.decode()
    assert "No score computed yet" in before
    compute.refresh_all()
    heatmap = client.get(reverse("observability:heatmap", args=[people.hub.slug])).content.decode()
    assert "Scores computed" in heatmap and 'id="friction-computed"' in heatmap
    badge = client.get(reverse("observability:health", args=[people.hub.slug]), {"badge": 1}).content.decode()
    assert "health 100" in badge and "just now</time>" in badge
    client.force_login(people.admin)
    board = client.get(reverse("observability:review")).content.decode()
    assert "<th>Computed</th>" in board and "just now</time>" in board
