"""The learning pages: the dashboard's panels with a constant query count, deciding calibrations, acting on
insights, distilling decisions, searching the knowledge base; bad input is a 4xx that writes nothing."""

import pytest
from django.urls import reverse

from governance.models import DecisionRecord
from learning import compute, services
from learning.models import AdaptiveThresholdConfig, InstitutionalKnowledgeEntry, LearningInsight
from observability.models import BottleneckThreshold
from tests.learning import history

HTMX = {"HX-Request": "true"}


@pytest.fixture
def learned(people, settings):
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    small = history.build(people)
    compute.refresh_all()
    compute.refresh_patterns()  # a second snapshot: the trend has something to draw
    return small


def _url(name, people, *args):
    return reverse(f"learning:{name}", args=[people.hub.slug, *args])


@pytest.mark.django_db
def test_the_dashboard_shows_every_panel_with_a_constant_query_count(
    client, people, learned, django_assert_max_num_queries
):
    client.force_login(people.viewer)
    services.knowledge_distil(decision=learned.decisions["D1"], actor=people.steward)
    with django_assert_max_num_queries(16):
        answer = client.get(_url("dashboard", people))
    page = answer.content.decode()
    assert answer.status_code == 200
    for key in ["correlations", "patterns", "calibrations", "insights", "knowledge"]:
        assert f'id="learning-{key}"' in page and f"/learning/panels/{key}/" in page
    assert "annotation_severity" not in page and "Feedback severity: <strong>high</strong>" in page
    assert "+67 pts" in page and 'data-chart="trend"' in page and "aria-labels" in page
    assert "1 of 2 changes to table widgets for accessibility feedback regressed within 14 days" in page
    assert "14 → 1 days" in page and "Fix accessibility on the table" in page
    assert "Apply" not in page and "Acknowledge" not in page  # a viewer reads, does not act
    for _ in range(3):  # more rows of each kind, same queries
        compute.compute_correlations()
        compute.refresh_patterns()
    with django_assert_max_num_queries(16):
        assert client.get(_url("dashboard", people)).status_code == 200
    fragment = client.get(_url("panel", people, "insights"), headers=HTMX)
    assert fragment.content.decode().startswith('<section class="card panel" id="learning-insights"')


@pytest.mark.django_db
def test_a_steward_applies_a_threshold_calibration_once(client, people, learned):
    client.force_login(people.steward)
    calibration = AdaptiveThresholdConfig.objects.get(hub=people.hub, stage="deployment_unobserved")
    answer = client.post(_url("calibration", people, calibration.pk), {"action": "apply"}, headers=HTMX)
    assert answer.status_code == 200 and f"calibration-{calibration.pk}" not in answer.content.decode()
    calibration.refresh_from_db()
    assert (calibration.status, calibration.decided_by) == ("applied", people.steward)
    threshold = BottleneckThreshold.objects.get(hub=people.hub, stage="deployment_unobserved")
    assert threshold.threshold_days == 1
    again = client.post(_url("calibration", people, calibration.pk), {"action": "decline"})
    assert again.status_code == 409 and services.ALREADY_DECIDED in again.content.decode()
    assert AdaptiveThresholdConfig.objects.get(pk=calibration.pk).status == "applied"


@pytest.mark.django_db
def test_a_declined_calibration_changes_no_threshold(client, people, learned):
    client.force_login(people.steward)
    calibration = AdaptiveThresholdConfig.objects.get(hub=people.hub, stage="decision_undeployed")
    assert client.post(_url("calibration", people, calibration.pk), {"action": "decline"}).status_code == 302
    assert AdaptiveThresholdConfig.objects.get(pk=calibration.pk).status == "declined"
    assert not BottleneckThreshold.objects.filter(hub=people.hub).exists()


@pytest.mark.django_db
def test_applied_friction_weights_score_the_hub(people):
    from observability.compute import recompute_friction
    from observability.models import FrictionScore
    from tests.factories import AnnotationFactory, WidgetFactory

    widget, elsewhere = WidgetFactory(hub=people.hub), WidgetFactory(hub=people.other_hub)
    AnnotationFactory(widget=widget, severity="high")
    AnnotationFactory(widget=elsewhere, severity="high")
    calibration = AdaptiveThresholdConfig.objects.create(
        hub=people.hub,
        config_type="friction_weights",
        old_values={},
        new_values={"severity": {"low": 1, "medium": 3, "high": 12, "critical": 20}},
        evidence={},
    )
    recompute_friction()
    assert FrictionScore.objects.get(widget=widget).score == 6  # proposed, not applied: the defaults
    services.calibration_decide(
        hub=people.hub, calibration_id=calibration.pk, actor=people.steward, apply=True
    )
    recompute_friction()
    assert FrictionScore.objects.get(widget=widget).score == 12
    assert FrictionScore.objects.get(widget=elsewhere).score == 6  # the other hub keeps the defaults


@pytest.mark.django_db
def test_insights_are_acknowledged_or_dismissed_once(client, people, learned):
    client.force_login(people.reviewer)
    first, second = LearningInsight.objects.filter(hub=people.hub)[:2]
    assert client.post(_url("insight", people, first.pk), {"action": "acknowledged"}).status_code == 302
    assert (
        client.post(_url("insight", people, second.pk), {"action": "dismissed"}, headers=HTMX).status_code
        == 200
    )
    assert client.post(_url("insight", people, first.pk), {"action": "dismissed"}).status_code == 409
    statuses = dict(LearningInsight.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: "acknowledged", second.pk: "dismissed"}
    assert LearningInsight.objects.get(pk=first.pk).acted_by == people.reviewer


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["calibration", "insight"])
@pytest.mark.parametrize("action", ["", "delete", "applied"])
def test_a_bad_action_is_refused_and_changes_nothing(client, people, learned, name, action):
    client.force_login(people.steward)
    target = (
        AdaptiveThresholdConfig.objects.filter(hub=people.hub).first()
        if name == "calibration"
        else LearningInsight.objects.filter(hub=people.hub).first()
    )
    answer = client.post(_url(name, people, target.pk), {"action": action})
    assert answer.status_code == 422 and "Choose to" in answer.content.decode()
    assert type(target).objects.get(pk=target.pk).status == target.status


@pytest.mark.django_db
def test_distil_makes_one_entry_per_decision(client, people, learned):
    client.force_login(people.reviewer)
    decision = learned.decisions["D1"]
    url = reverse("learning:distil", args=[people.hub.slug, decision.pk])
    answer = client.post(url)
    entry = InstitutionalKnowledgeEntry.objects.get(decision=decision)
    assert answer.status_code == 302 and answer.url == _url("entry", people, entry.pk)
    assert (entry.outcome, entry.pattern, entry.widget_type, entry.evaluation) == (
        "mixed",
        "aria-labels",
        "table",
        "2/5: r",
    )
    assert [link["kind"] for link in entry.links] == ["decision", "candidate", "deployment"]
    assert client.post(url).url == _url("entry", people, entry.pk)
    assert InstitutionalKnowledgeEntry.objects.count() == 1
    page = client.get(_url("entry", people, entry.pk)).content.decode()
    assert "Screen readers cannot name the sort buttons" in page and "Mixed" in page
    decision_page = client.get(reverse("governance:decision", args=[people.hub.slug, decision.pk]))
    assert "In the knowledge base" in decision_page.content.decode()


@pytest.mark.django_db
def test_knowledge_search_highlights_and_filters(client, people, learned):
    for name in ["D1", "D2", "D3"]:
        services.knowledge_distil(decision=learned.decisions[name], actor=people.steward)
    client.force_login(people.viewer)
    page = client.get(_url("knowledge", people), {"q": "accessibility"}).content.decode()
    assert "2 entries" in page and "<mark>accessibility</mark>" in page
    only = client.get(_url("knowledge", people), {"q": "accessibility", "outcome": "improved"}, headers=HTMX)
    assert "1 entry" in only.content.decode() and only.content.decode().startswith('<section id="results"')
    assert "1 entry" in client.get(_url("knowledge", people), {"pattern": "simplify"}).content.decode()
    xss = client.get(_url("knowledge", people), {"q": "<script>"}).content.decode()
    assert "<script>alert" not in xss and "0 entries" in xss


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"outcome": "great"}, "outcome"),
        ({"sort": "rank"}, "sort"),
        ({"page": "0"}, "page"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_search_parameters_are_named(client, people, learned, query, field):
    client.force_login(people.viewer)
    answer = client.get(_url("knowledge", people), query)
    assert answer.status_code == 422 and f'id="id_{field}_error"' in answer.content.decode()


@pytest.mark.django_db
def test_the_decision_form_suggests_patterns_and_checks_the_label(client, people, learned):
    services.knowledge_distil(decision=learned.decisions["D1"], actor=people.steward)
    candidate = learned.decisions["D1"].candidate
    client.force_login(people.steward)
    url = reverse("governance:decision-new", args=[people.hub.slug])
    form = client.get(url, {"candidate": candidate.pk}).content.decode()
    assert '<option value="aria-labels">' in form and "worked in 50 % of those observed" in form
    data = {"candidate": candidate.pk, "title": "Again", "outcome": "approved", "rationale": "r"}
    bad = client.post(url, {**data, "pattern": "Aria Labels!"})
    assert bad.status_code == 422 and 'id="id_pattern_error"' in bad.content.decode()
    assert not DecisionRecord.objects.filter(title="Again").exists()
    assert client.post(url, {**data, "pattern": "aria-labels"}).status_code == 302
    assert DecisionRecord.objects.get(title="Again").pattern == "aria-labels"


@pytest.mark.django_db
def test_the_candidate_page_shows_what_was_learned(client, people, learned):
    services.knowledge_distil(decision=learned.decisions["D1"], actor=people.steward)
    client.force_login(people.viewer)
    candidate = learned.decisions["D2"].candidate
    page = client.get(reverse("feedback:candidate", args=[people.hub.slug, candidate.pk])).content.decode()
    assert "What was learned before" in page and "Fix accessibility on the table" in page
    assert "feedback category <strong>accessibility</strong>, 50 % of outcome signals" in page
