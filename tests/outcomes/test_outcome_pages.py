from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.forms import RATIONALE_REQUIRED, VERSION_REQUIRED
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal, RemediationEvent
from outcomes.services import EVALUATED_BY_SOMEONE_ELSE, NOT_APPROVED
from tests.chain import accepted_candidate, decision_for, deployment_for, full_chain, requirement_for


def _decision(people, **kwargs):
    return decision_for(people.hub, requirement=requirement_for(accepted_candidate(people.hub)), **kwargs)


def _url(name, people, obj):
    return reverse(f"outcomes:{name}", args=[people.hub.slug, obj.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("steward", 302), ("reviewer", 302), ("admin", 302), ("viewer", 403)]
)
def test_recording_a_deployment_per_role(client, people, role, status):
    decision = _decision(people)
    client.force_login(getattr(people, role))
    response = client.post(
        _url("deploy", people, decision),
        {"version_ref": "v2026.11.1", "status": "success", "remediation_type": "helm"},
    )
    assert response.status_code == status
    if status == 302:
        deployment = DeploymentRecord.objects.get()
        assert response.url == _url("deployment", people, deployment)
        assert (deployment.decision_id, deployment.version_ref) == (decision.pk, "v2026.11.1")
        assert list(RemediationEvent.objects.values_list("status", "remediation_type")) == [
            ("success", "helm")
        ]
    else:
        assert not DeploymentRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["rejected", "deferred"])
def test_only_approved_decisions_are_deployed(client, people, outcome):
    decision = _decision(people, outcome=outcome)
    client.force_login(people.steward)
    response = client.post(
        _url("deploy", people, decision),
        {"version_ref": "v1", "status": "success", "remediation_type": "helm"},
    )
    assert response.status_code == 409 and NOT_APPROVED in response.content.decode()
    assert not DeploymentRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"version_ref": ""}, "version_ref"),
        ({"status": "done"}, "status"),
        ({"deployed_at": "2999-01-01T00:00"}, "deployed_at"),
        ({"deployed_at": "yesterday"}, "deployed_at"),
        ({"impl_ref": "00000000-0000-0000-0000-000000000000"}, "impl_ref"),
    ],
)
def test_bad_deployments_answer_422(client, people, data, field):
    decision = _decision(people)
    client.force_login(people.steward)
    response = client.post(
        _url("deploy", people, decision),
        {"version_ref": "v1", "status": "success", "remediation_type": "helm", **data},
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    if field == "version_ref":
        assert VERSION_REQUIRED in response.content.decode()
    assert not DeploymentRecord.objects.exists() and not RemediationEvent.objects.exists()


@pytest.mark.django_db
def test_the_status_follows_the_lifecycle_as_an_append_only_series(client, people):
    deployment = deployment_for(_decision(people), status="pending")
    client.force_login(people.reviewer)
    url = _url("status-add", people, deployment)
    assert client.post(url, {"status": "success"}).status_code == 302
    assert client.post(url, {"status": "rolled_back", "error_message": "5xx spike"}).status_code == 302
    response = client.post(url, {"status": "success"})
    assert response.status_code == 409
    assert (
        "A deployment that is rolled back cannot become succeeded. Allowed: pending."
        in response.content.decode()
    )
    assert list(
        RemediationEvent.objects.filter(deployment=deployment)
        .order_by("event_id")
        .values_list("status", flat=True)
    ) == ["pending", "success", "rolled_back"]
    page = client.get(_url("deployment", people, deployment))
    assert page.context["deployment"].current_status == "rolled_back"
    assert client.post(url, {"status": "bogus"}).status_code == 422


@pytest.mark.django_db
def test_signals_are_recorded_for_the_widget_behind_the_decision(client, people):
    candidate, _r, _d, deployment, _s = full_chain(people.hub)
    client.force_login(people.reviewer)
    url = _url("signal-add", people, deployment)
    response = client.post(
        url, {"signal_type": "regressed", "value": "-0.2", "widget": str(candidate.source_widget_id)}
    )
    assert response.status_code == 302
    assert OutcomeSignal.objects.filter(
        signal_type="regressed", widget=candidate.source_widget, recorded_by=people.reviewer
    ).exists()
    for bad in [
        {"signal_type": "great"},
        {"value": "lots"},
        {"widget": "00000000-0000-0000-0000-000000000000"},
        {"observed_at": "2999-01-01T00:00"},
    ]:
        response = client.post(
            url, {"signal_type": "improved", "widget": str(candidate.source_widget_id), **bad}
        )
        assert response.status_code == 422, bad
    assert OutcomeSignal.objects.count() == 2
    client.force_login(people.viewer)
    assert (
        client.post(url, {"signal_type": "improved", "widget": str(candidate.source_widget_id)}).status_code
        == 403
    )
    assert OutcomeSignal.objects.count() == 2


@pytest.mark.django_db
def test_the_evaluation_is_one_per_deployment_and_idempotent_for_its_evaluator(client, people):
    *_rest, deployment, _s = full_chain(people.hub)
    url = _url("evaluate", people, deployment)
    client.force_login(people.reviewer)
    assert client.post(url, {"score": "3", "rationale": "so-so"}).status_code == 302
    assert client.post(url, {"score": "4", "rationale": "better on a second look"}).status_code == 302
    evaluation = ChangeEvaluation.objects.get()
    assert (evaluation.score, evaluation.rationale, evaluation.evaluated_by_id) == (
        4,
        "better on a second look",
        people.reviewer.pk,
    )
    assert evaluation.decision_id == deployment.decision_id

    client.force_login(people.steward)
    page = client.get(_url("deployment", people, deployment))
    assert page.context["evaluation_form"] is None  # sees the evaluation, not a second form
    assert "better on a second look" in page.content.decode()
    response = client.post(url, {"score": "1", "rationale": "no"})
    assert response.status_code == 409
    assert EVALUATED_BY_SOMEONE_ELSE.format(name=people.reviewer) in response.content.decode()
    assert ChangeEvaluation.objects.get().score == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"score": "6", "rationale": "x"}, "score"),
        ({"score": "", "rationale": "x"}, "score"),
        ({"score": "3", "rationale": " "}, "rationale"),
    ],
)
def test_bad_evaluations_answer_422(client, people, data, field):
    *_rest, deployment, _s = full_chain(people.hub)
    client.force_login(people.reviewer)
    response = client.post(_url("evaluate", people, deployment), data)
    assert response.status_code == 422
    assert field in response.context["evaluation_form"].errors
    if field == "rationale":
        assert RATIONALE_REQUIRED in response.content.decode()
    assert not ChangeEvaluation.objects.exists()


@pytest.mark.django_db
def test_another_hubs_member_gets_404_on_outcome_pages(client, people):
    candidate, _r, decision, deployment, _s = full_chain(people.hub)
    client.force_login(people.outsider)
    for name, obj in [("deployment", deployment), ("deployment-trace", deployment), ("deploy", decision)]:
        assert client.get(_url(name, people, obj)).status_code == 404, name
    for name, data in [
        ("status-add", {"status": "rolled_back"}),
        ("signal-add", {"signal_type": "improved"}),
        ("evaluate", {"score": "1", "rationale": "x"}),
    ]:
        assert client.post(_url(name, people, deployment), data).status_code == 404, name
    assert client.get(_url("widget-trace", people, candidate.source_widget)).status_code == 404
    for name in ["regressions", "dashboard"]:
        assert client.get(reverse(f"outcomes:{name}", args=[people.hub.slug])).status_code == 404
    assert (
        client.get(reverse("outcomes:dashboard-panel", args=[people.hub.slug, "scores"])).status_code == 404
    )
    assert RemediationEvent.objects.count() == 1 and OutcomeSignal.objects.count() == 1
    assert not ChangeEvaluation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "viewer", "admin"])
def test_members_read_every_outcome_page(client, people, role):
    candidate, _r, _d, deployment, _s = full_chain(people.hub)
    client.force_login(getattr(people, role))
    for url in [
        _url("deployment", people, deployment),
        _url("deployment-trace", people, deployment),
        _url("widget-trace", people, candidate.source_widget),
        reverse("outcomes:regressions", args=[people.hub.slug]),
        reverse("outcomes:dashboard", args=[people.hub.slug]),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("outcomes:dashboard-panel", args=[people.hub.slug, "nope"])).status_code == 404


@pytest.mark.django_db
def test_the_pre_post_window_is_selectable_and_swaps_in_with_htmx(client, people):
    *_rest, deployment, _s = full_chain(people.hub, days_ago=3)
    client.force_login(people.viewer)
    response = client.get(
        _url("deployment", people, deployment), {"window": "7"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section class="card" id="pre-post">')
    assert response.context["pre_post"]["days"] == 7
    assert (
        client.get(_url("deployment", people, deployment), {"window": "11"}).context["pre_post"]["days"] == 30
    )


@pytest.mark.django_db
def test_the_deployment_page_query_count_does_not_grow(client, people, django_assert_max_num_queries):
    candidate, _r, _d, deployment, _s = full_chain(people.hub)
    from tests.chain import signal_for

    for _ in range(15):
        signal_for(
            deployment, candidate.source_widget, "neutral", observed_at=timezone.now() - timedelta(hours=1)
        )
    client.force_login(people.steward)
    # 16 for the page, 5 for the survey panel the surveys app adds to it (surveys/templatetags/survey_tags.py)
    with django_assert_max_num_queries(21):
        assert client.get(_url("deployment", people, deployment)).status_code == 200
