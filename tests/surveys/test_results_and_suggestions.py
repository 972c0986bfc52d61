"""The deployment page's survey results (docs/metrics.md, "Post-change surveys"), the signals clear evidence
suggests, and a reviewer confirming or rejecting them; the hub's survey settings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import OutcomeSignal
from surveys import selectors, services
from surveys.models import DeploymentSurvey, SignalSuggestion, SurveyPrompt, SurveySettings, UserFeedback
from tests.chain import decision_for, deployment_for
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def _answers(deployment, widget, scores, **extra):
    UserFeedback.objects.bulk_create(
        UserFeedback(hub=widget.hub, deployment=deployment, widget=widget, overall_satisfaction=s, **extra)
        for s in scores
    )


def _earlier_deployment(people, widget, days_ago=20):
    decision = decision_for(people.hub, candidate=CandidateFactory(source_widget=widget, status="accepted"))
    return deployment_for(decision, deployed_at=timezone.now() - timedelta(days=days_ago), version="v1")


def test_results_count_mean_interval_nps_and_aspects(people, surveyed):
    widget, deployment, _headers = surveyed
    _answers(deployment, widget, [5, 4, 4, 3], likelihood_to_reuse=10, positive_aspects=["fast"])
    _answers(deployment, widget, [2], likelihood_to_reuse=5, negative_aspects=["slow", "buggy"])
    _answers(deployment, widget, [4], likelihood_to_reuse=8, would_recommend=True)
    SurveyPrompt.objects.bulk_create(
        SurveyPrompt(
            id=f"00000000-0000-7000-8000-00000000000{i}", hub=people.hub, deployment=deployment, widget=widget
        )
        for i in range(8)
    )
    results = selectors.results(deployment.pk)
    assert results["responses"] == 6
    satisfaction = results["satisfaction"]
    assert satisfaction["mean"] == pytest.approx(22 / 6)
    # sd of 5,4,4,3,2,4 = 1.0328; t(5) = 2.571; half = 2.571 * 1.0328 / sqrt(6) = 1.084
    assert (satisfaction["low"], satisfaction["high"]) == (
        pytest.approx(22 / 6 - 1.084, abs=1e-3),
        pytest.approx(22 / 6 + 1.084, abs=1e-3),
    )
    # 4 promoters (10), 1 detractor (5), 1 passive (8) of 6: NPS = 100 * (4 - 1) / 6 = 50
    assert (results["nps"], results["promoters"], results["detractors"], results["nps_n"]) == (50, 4, 1, 6)
    assert (results["recommend_share"], results["recommend_n"]) == (100, 1)
    assert results["positive"] == [("fast", 4)] and sorted(results["negative"]) == [("buggy", 1), ("slow", 1)]
    assert (results["shown"], results["response_rate"]) == (8, 75)


def test_before_and_after_compare_the_widgets_earlier_survey_answers(people, surveyed):
    widget, deployment, _headers = surveyed
    earlier = _earlier_deployment(people, widget)
    _answers(earlier, widget, [2, 3])
    UserFeedback.objects.filter(deployment=earlier).update(
        submitted_at=deployment.deployed_at - timedelta(days=3)
    )
    old = _earlier_deployment(people, widget, days_ago=400)
    _answers(old, widget, [1])  # older than IHF_SURVEY_BEFORE_DAYS before the deployment: not "before"
    UserFeedback.objects.filter(deployment=old).update(
        submitted_at=deployment.deployed_at - timedelta(days=200)
    )
    _answers(deployment, widget, [4, 5])
    [row] = selectors.before_after([deployment.pk])[deployment.pk]
    assert (row["before"]["n"], row["before"]["mean"]) == (2, 2.5)
    assert (row["after"]["n"], row["after"]["mean"]) == (2, 4.5)


def test_clear_improvement_over_earlier_answers_is_suggested_once(people, surveyed, settings):
    settings.IHF_SURVEY_MIN_RESPONSES = 5
    widget, deployment, _headers = surveyed
    earlier = _earlier_deployment(people, widget)
    _answers(earlier, widget, [2, 3, 2, 3, 2, 3])
    UserFeedback.objects.filter(deployment=earlier).update(
        submitted_at=deployment.deployed_at - timedelta(days=2)
    )
    _answers(deployment, widget, [4, 5, 4, 5, 4, 5])
    [made] = services.suggest_signals([deployment.pk])
    assert (made.signal_type, made.status, made.evidence["rule"]) == ("improved", "pending", "difference")
    assert made.evidence["difference"] == pytest.approx(2.0)
    assert services.suggest_signals([deployment.pk]) == []  # once
    assert not OutcomeSignal.objects.filter(deployment=deployment).exists()  # only a suggestion


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([5, 5, 4, 5, 5, 4], "improved"),
        ([1, 2, 1, 2, 1, 1], "regressed"),
        ([1, 5, 3, 2, 4, 3], None),
        ([5, 5, 5], None),
    ],
)
def test_without_earlier_answers_only_a_clear_level_is_suggested(surveyed, settings, scores, expected):
    settings.IHF_SURVEY_MIN_RESPONSES = 5
    widget, deployment, _headers = surveyed
    _answers(deployment, widget, scores)
    made = services.suggest_signals([deployment.pk])
    assert [s.signal_type for s in made] == ([expected] if expected else [])


def _page(client, people, deployment):
    return client.get(reverse("outcomes:deployment", args=[people.hub.slug, deployment.pk]))


def test_the_deployment_page_shows_results_and_a_reviewer_confirms_a_suggestion(client, people, surveyed):
    widget, deployment, _headers = surveyed
    _answers(deployment, widget, [5, 4, 5], likelihood_to_reuse=10)
    suggestion = SignalSuggestion.objects.create(
        deployment=deployment,
        widget=widget,
        signal_type="improved",
        evidence={"rule": "level", "after": {"n": 3, "mean": 4.67, "low": 3.2, "high": 6.1}},
    )
    client.force_login(people.viewer)
    page = _page(client, people, deployment).content.decode()
    assert 'id="survey-responses">3<' in page and 'id="survey-nps">100<' in page and "Computed" in page
    assert "Confirm: record the signal" not in page  # viewers read
    client.force_login(people.reviewer)
    assert "Confirm: record the signal" in _page(client, people, deployment).content.decode()
    url = reverse("surveys:suggestion-decide", args=[people.hub.slug, deployment.pk, suggestion.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 302
    suggestion.refresh_from_db()
    signal = OutcomeSignal.objects.get(deployment=deployment)
    assert (suggestion.status, suggestion.signal_id, suggestion.decided_by_id) == (
        "confirmed",
        signal.pk,
        people.reviewer.pk,
    )
    assert (signal.signal_type, signal.widget_id, float(signal.value), signal.recorded_by_id) == (
        "improved",
        widget.pk,
        4.67,
        people.reviewer.pk,
    )
    again = client.post(url, {"decision": "reject"})
    assert again.status_code == 409
    assert OutcomeSignal.objects.filter(deployment=deployment).count() == 1


def test_a_rejected_suggestion_records_nothing(client, people, surveyed):
    widget, deployment, _headers = surveyed
    suggestion = SignalSuggestion.objects.create(
        deployment=deployment, widget=widget, signal_type="regressed", evidence={"rule": "level", "after": {}}
    )
    client.force_login(people.steward)
    url = reverse("surveys:suggestion-decide", args=[people.hub.slug, deployment.pk, suggestion.pk])
    assert client.post(url, {"decision": "reject"}).status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.signal_id) == ("rejected", None)
    assert not OutcomeSignal.objects.exists()


def test_surveys_are_turned_on_and_off_per_deployment(client, people, surveyed):
    _widget, deployment, _headers = surveyed
    client.force_login(people.reviewer)
    url = reverse("surveys:toggle", args=[people.hub.slug, deployment.pk])
    assert client.post(url, {"enabled": "0"}).status_code == 302
    assert DeploymentSurvey.objects.get(deployment=deployment).enabled is False
    assert client.post(url, {"enabled": "maybe"}).status_code == 422
    assert DeploymentSurvey.objects.get(deployment=deployment).enabled is False


def test_stewards_set_the_sampling_rate_quiet_period_and_tags(client, people):
    client.force_login(people.steward)
    url = reverse("surveys:settings", args=[people.hub.slug])
    assert "fast" in client.get(url).content.decode()
    data = {
        "sampling_rate": "0.05",
        "quiet_period_days": "14",
        "positive_aspects": "Quick\nclear\nquick",
        "negative_aspects": "slow",
    }
    assert client.post(url, data).status_code == 302
    saved = SurveySettings.objects.get(hub=people.hub)
    assert (
        float(saved.sampling_rate),
        saved.quiet_period_days,
        saved.positive_aspects,
        saved.negative_aspects,
    ) == (
        0.05,
        14,
        ["quick", "clear"],
        ["slow"],
    )
    bad = client.post(url, {**data, "quiet_period_days": "0", "sampling_rate": "2"})
    assert bad.status_code == 422
    assert "quiet_period_days_error" in bad.content.decode() and "sampling_rate_error" in bad.content.decode()
    assert SurveySettings.objects.get(hub=people.hub).quiet_period_days == 14
