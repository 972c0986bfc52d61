import pytest
from django.core.management import call_command
from django.urls import reverse

from observability import compute
from observability.forms import NOTE_REQUIRED
from observability.models import BottleneckRecord, BottleneckThreshold, CrossHubPropagation, FrictionScore
from tests.factories import (
    AnnotationFactory,
    CandidateFactory,
    HubFactory,
    MembershipFactory,
    UserFactory,
    WidgetFactory,
)


def _hub_pages(people):
    slug = people.hub.slug
    return [
        reverse("observability:heatmap", args=[slug]),
        reverse("observability:bottlenecks", args=[slug]),
        reverse("observability:health", args=[slug]),
        reverse("observability:health", args=[slug]) + "?badge=1",
        reverse("observability:health", args=[slug]) + "?history=1",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "viewer", "admin"])
def test_members_read_the_hub_observability_pages(client, people, role):
    WidgetFactory(hub=people.hub, name="Pay")
    compute.recompute_friction()
    compute.snapshot_health()
    client.force_login(getattr(people, role))
    for url in _hub_pages(people):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_another_hubs_member_gets_404_and_changes_nothing(client, people):
    record = BottleneckRecord.objects.create(
        hub=people.hub,
        stage="candidate_untriaged",
        subject_type="x",
        subject_id=CandidateFactory(source_widget=WidgetFactory(hub=people.hub)).pk,
        stalled_since="2026-01-01T00:00:00Z",
    )
    client.force_login(people.outsider)
    for url in _hub_pages(people):
        assert client.get(url).status_code == 404
    slug = people.hub.slug
    assert client.post(reverse("observability:recompute", args=[slug])).status_code == 404
    assert (
        client.post(
            reverse("observability:bottleneck-resolve", args=[slug, record.pk]), {"note": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("observability:bottlenecks", args=[slug]), {"candidate_untriaged": 1}).status_code
        == 404
    )
    record.refresh_from_db()
    assert record.resolved_at is None and not BottleneckThreshold.objects.exists()
    assert not FrictionScore.objects.exists()


@pytest.mark.django_db
def test_the_heatmap_groups_by_type_with_bands_and_links(client, people):
    hot = WidgetFactory(hub=people.hub, name="Hot", widget_type="form")
    WidgetFactory(hub=people.hub, name="Cold", widget_type="button")
    FrictionScore.objects.create(widget=hot, score=75)
    client.force_login(people.viewer)
    response = client.get(reverse("observability:heatmap", args=[people.hub.slug]))
    groups = {
        g["widget_type"]: [(w["name"], w["band"]) for w in g["widgets"]] for g in response.context["groups"]
    }
    assert groups == {"button": [("Cold", "none")], "form": [("Hot", "red")]}
    assert reverse("feedback:widget", args=[people.hub.slug, hot.pk]) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("steward", 302), ("admin", 302), ("reviewer", 403), ("viewer", 403)]
)
def test_only_stewards_recompute(client, people, role, status):
    widget = WidgetFactory(hub=people.hub)
    AnnotationFactory(widget=widget, severity="critical")
    client.force_login(getattr(people, role))
    assert client.post(reverse("observability:recompute", args=[people.hub.slug])).status_code == status
    assert FrictionScore.objects.filter(widget=widget, score=10).exists() is (status == 302)


@pytest.mark.django_db
def test_stewards_resolve_bottlenecks_with_a_note_and_set_thresholds(client, people):
    CandidateFactory(source_widget=WidgetFactory(hub=people.hub), created_at="2020-01-01T00:00:00Z")
    compute.detect_bottlenecks()
    record = BottleneckRecord.objects.get()
    url = reverse("observability:bottleneck-resolve", args=[people.hub.slug, record.pk])
    client.force_login(people.reviewer)
    assert client.post(url, {"note": "done"}).status_code == 403
    client.force_login(people.steward)
    response = client.post(url, {"note": " "})
    assert response.status_code == 422 and NOTE_REQUIRED in response.content.decode()
    assert client.post(url, {"note": "Parked until Q3"}).status_code == 302
    record.refresh_from_db()
    assert (record.notes, record.resolved_by_id) == ("Parked until Q3", people.steward.pk)

    thresholds = reverse("observability:bottlenecks", args=[people.hub.slug])
    data = {
        "candidate_untriaged": 10,
        "requirement_undecided": 20,
        "decision_undeployed": 5,
        "deployment_unobserved": 3,
    }
    assert client.post(thresholds, data).status_code == 302
    assert dict(BottleneckThreshold.objects.values_list("stage", "threshold_days")) == data
    response = client.post(thresholds, {**data, "decision_undeployed": 0})
    assert response.status_code == 422 and "decision_undeployed" in response.context["thresholds_form"].errors
    assert BottleneckThreshold.objects.get(stage="decision_undeployed").threshold_days == 5
    client.force_login(people.viewer)
    assert client.post(thresholds, data).status_code == 403


@pytest.mark.django_db
def test_propagations_are_seen_and_acted_on_by_stewards_of_involved_hubs(client, people):
    pattern = CrossHubPropagation.objects.create(
        pattern_type="widget_type_friction",
        source_hub=people.hub,
        affected_hub_ids=[str(people.hub.pk)],
        summary="Forms hurt",
        fingerprint="widget_type_friction:form",
    )
    url = reverse("observability:propagation-act", args=[pattern.pk])
    client.force_login(people.outsider)
    assert "Forms hurt" not in client.get(reverse("observability:propagations")).content.decode()
    assert client.post(url, {"action": "resolve", "note": "x"}).status_code == 404
    client.force_login(people.viewer)
    assert "Forms hurt" in client.get(reverse("observability:propagations")).content.decode()
    assert client.post(url, {"action": "acknowledge", "note": "x"}).status_code == 403
    client.force_login(people.steward)
    response = client.post(url, {"action": "acknowledge", "note": ""})
    assert response.status_code == 422
    assert client.post(url, {"action": "acknowledge", "note": "Looking into it"}).status_code == 302
    pattern.refresh_from_db()
    assert pattern.status == "acknowledged" and "Looking into it" in pattern.notes
    assert client.post(url, {"action": "resolve", "note": "Fixed the shared form"}).status_code == 302
    pattern.refresh_from_db()
    assert pattern.status == "resolved" and "Fixed the shared form" in pattern.notes


@pytest.mark.django_db
def test_the_review_board_shows_members_their_hubs_and_superusers_all(client, people):
    WidgetFactory(hub=people.hub)
    WidgetFactory(hub=people.other_hub)
    compute.recompute_friction()
    compute.snapshot_health()
    client.force_login(people.steward)
    panels = {p["key"]: p for p in client.get(reverse("observability:review")).context["panels"]}
    assert [h.slug for h in panels["health"]["hubs"]] == [people.hub.slug]
    assert [f.widget.hub_id for f in panels["friction"]["scores"]] == [people.hub.pk]
    client.force_login(people.admin)
    panels = {p["key"]: p for p in client.get(reverse("observability:review")).context["panels"]}
    assert {h.slug for h in panels["health"]["hubs"]} == {people.hub.slug, people.other_hub.slug}
    client.force_login(UserFactory())
    response = client.get(reverse("observability:review"))
    assert "you belong to none yet" in response.content.decode()
    assert response.context["panels"][0]["hubs"] == []
    panel = client.get(reverse("observability:review-panel", args=["bottlenecks"]))
    assert panel.content.decode().lstrip().startswith('<section class="card panel" id="review-bottlenecks"')
    assert client.get(reverse("observability:review-panel", args=["nope"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("hubs", [1, 12])
def test_the_review_board_and_heatmap_query_counts_are_flat(
    client, people, django_assert_max_num_queries, hubs
):
    for _ in range(hubs):
        hub = HubFactory()
        MembershipFactory(hub=hub, user=people.steward, role="steward")
        for _ in range(3):
            WidgetFactory(hub=hub)
    for _ in range(hubs * 3):
        WidgetFactory(hub=people.hub)
    compute.recompute_friction()
    compute.snapshot_health()
    compute.detect_bottlenecks()
    client.force_login(people.steward)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("observability:review")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("observability:heatmap", args=[people.hub.slug])).status_code == 200


@pytest.mark.django_db
def test_each_job_is_also_a_command_with_progress_output(capsys, people):
    WidgetFactory(hub=people.hub)
    for command, text in [
        ("recompute_friction", "friction scores: 1 in"),
        ("detect_bottlenecks", "bottlenecks: 0 in"),
        ("snapshot_health", "health snapshots: 2 in"),
        ("detect_propagations", "cross-hub propagations: 0 in"),
    ]:
        call_command(command)
        out = capsys.readouterr().out
        assert f"{command} …" in out and text in out


def test_the_jobs_are_periodic_procrastinate_tasks():
    from procrastinate.contrib.django import app

    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    # One job runs the detectors in dependency order (friction before health): separate crons let health
    # snapshot friction that was about to change.
    assert periodic["observability.tasks.refresh_observability"] == "*/15 * * * *"
    assert "outcomes.tasks.detect_all_regressions" in periodic
    assert not {name for name in periodic if name.startswith("observability.") and "refresh" not in name}
