"""The surveys' public API, for the reporter: open surveys, showings, answers; bad input is refused with a
4xx naming the field, and nothing is written."""

import json
import uuid

import pytest

from outcomes.models import RemediationEvent
from surveys.models import DeploymentSurvey, SurveyPrompt, SurveySettings, UserFeedback
from tests.factories import WidgetFactory, api_key

SURVEYS, PROMPTS, ANSWERS = "/api/v1/surveys", "/api/v1/surveys/prompts", "/api/v1/surveys/answers"
pytestmark = pytest.mark.django_db


def _post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def _answer(widget, deployment, **extra):
    return {
        "deployment_id": str(deployment.pk),
        "widget_id": str(widget.pk),
        "overall_satisfaction": 4,
        **extra,
    }


def test_open_surveys_list_the_live_surveyed_deployments_and_the_hub_rules(client, people, surveyed):
    widget, deployment, headers = surveyed
    SurveySettings.objects.create(hub=people.hub, sampling_rate="0.5", quiet_period_days=3)
    response = client.get(SURVEYS, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["sampling_rate"], body["quiet_period_days"]) == (0.5, 3)
    assert "fast" in body["positive_aspects"] and "slow" in body["negative_aspects"]
    assert body["surveys"] == [
        {
            "deployment_id": str(deployment.pk),
            "version_ref": "v2",
            "widget_id": str(widget.pk),
            "widget_name": "Checkout button",
        }
    ]


def test_a_rolled_back_or_switched_off_deployment_is_not_surveyed(client, surveyed):
    _widget, deployment, headers = surveyed
    RemediationEvent.objects.create(deployment=deployment, status="rolled_back")
    assert client.get(SURVEYS, headers=headers).json()["surveys"] == []
    RemediationEvent.objects.create(deployment=deployment, status="success")
    assert len(client.get(SURVEYS, headers=headers).json()["surveys"]) == 1
    DeploymentSurvey.objects.filter(deployment=deployment).update(enabled=False)
    assert client.get(SURVEYS, headers=headers).json()["surveys"] == []


def test_another_hubs_key_sees_nothing_and_cannot_answer(client, people, surveyed):
    widget, deployment, _headers = surveyed
    _key, raw = api_key(people.other_hub)
    other = {"Authorization": f"Bearer {raw}"}
    assert client.get(SURVEYS, headers=other).json()["surveys"] == []
    response = _post(client, ANSWERS, _answer(widget, deployment), other)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deployment_id"
    assert not UserFeedback.objects.exists()


def test_an_answer_is_stored_once_with_its_showing(client, people, surveyed):
    widget, deployment, headers = surveyed
    prompt_id = str(uuid.uuid4())
    shown = _post(
        client,
        PROMPTS,
        {"id": prompt_id, "deployment_id": str(deployment.pk), "widget_id": str(widget.pk)},
        headers,
    )
    assert shown.status_code == 201
    answer_id = str(uuid.uuid4())
    body = _answer(
        widget,
        deployment,
        id=answer_id,
        prompt_id=prompt_id,
        usefulness=5,
        likelihood_to_reuse=9,
        would_recommend=True,
        positive_aspects=["fast", "clear"],
        negative_aspects=["buggy"],
        additional_comments="  Much quicker now.  ",
    )
    response = _post(client, ANSWERS, body, headers)
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": answer_id, "duplicate": False}
    again = _post(client, ANSWERS, body, headers)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    stored = UserFeedback.objects.get()
    assert (stored.hub_id, stored.deployment_id, stored.widget_id, str(stored.prompt_id)) == (
        people.hub.pk,
        deployment.pk,
        widget.pk,
        prompt_id,
    )
    assert (stored.overall_satisfaction, stored.usefulness, stored.likelihood_to_reuse) == (4, 5, 9)
    assert stored.positive_aspects == ["fast", "clear"] and stored.negative_aspects == ["buggy"]
    assert (stored.additional_comments, stored.feedback_source, stored.would_recommend) == (
        "Much quicker now.",
        "modal",
        True,
    )


def test_a_dismissal_marks_the_showing(client, surveyed):
    widget, deployment, headers = surveyed
    body = {"id": str(uuid.uuid4()), "deployment_id": str(deployment.pk), "widget_id": str(widget.pk)}
    assert _post(client, PROMPTS, body, headers).status_code == 201
    response = _post(client, PROMPTS, {**body, "dismissed": True}, headers)
    assert (response.status_code, response.json()["duplicate"]) == (200, True)
    assert SurveyPrompt.objects.get().dismissed_at is not None


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"overall_satisfaction": 6}, "overall_satisfaction", 422),
        ({"overall_satisfaction": None}, "overall_satisfaction", 422),
        ({"usefulness": 0}, "usefulness", 422),
        ({"likelihood_to_reuse": 11}, "likelihood_to_reuse", 422),
        ({"likelihood_to_reuse": "ten"}, "likelihood_to_reuse", 422),
        ({"would_recommend": "maybe"}, "would_recommend", 422),
        ({"positive_aspects": ["gorgeous"]}, "positive_aspects", 422),
        ({"negative_aspects": ["fast"]}, "negative_aspects", 422),
        ({"additional_comments": "x" * 2001}, "additional_comments", 422),
        ({"additional_comments": "nul \u0000"}, "additional_comments", 422),
        ({"feedback_source": "carrier pigeon"}, "feedback_source", 422),
        ({"deployment_id": "not-a-uuid"}, "deployment_id", 422),
        ({"deployment_id": str(uuid.uuid4())}, "deployment_id", 422),
        ({"widget_id": "WIDGET"}, "widget_id", 422),
    ],
)
def test_bad_answers_are_refused_naming_the_field_and_nothing_is_written(
    client, surveyed, change, field, status
):
    widget, deployment, headers = surveyed
    if change.get("widget_id") == "WIDGET":
        change = {"widget_id": str(WidgetFactory(hub=widget.hub).pk)}  # of the hub, not the deployment's
    response = _post(client, ANSWERS, {**_answer(widget, deployment), **change}, headers)
    assert response.status_code == status, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["code"]
    assert not UserFeedback.objects.exists()


def test_a_known_person_answers_each_deployment_once(client, surveyed):
    widget, deployment, headers = surveyed
    actor = str(uuid.uuid4())
    assert _post(client, ANSWERS, _answer(widget, deployment, actor_id=actor), headers).status_code == 201
    response = _post(client, ANSWERS, _answer(widget, deployment, actor_id=actor), headers)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "actor_id"
    assert UserFeedback.objects.count() == 1


def test_the_key_is_required_and_must_be_an_ingest_key(client, people, surveyed):
    widget, deployment, _headers = surveyed
    assert client.get(SURVEYS).status_code == 401
    _key, raw = api_key(people.hub, scope="read")
    response = _post(client, ANSWERS, _answer(widget, deployment), {"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert not UserFeedback.objects.exists()


def test_the_openapi_document_declares_the_survey_answers(client):
    schema = client.get("/api/openapi.json").json()
    answer = schema["paths"]["/api/v1/surveys/answers"]["post"]
    assert {"201", "200", "409", "422"} <= set(answer["responses"])
    body = answer["requestBody"]["content"]["application/json"]["schema"]
    assert {"overall_satisfaction", "likelihood_to_reuse", "positive_aspects"} <= set(body["properties"])
    assert "200" in schema["paths"]["/api/v1/surveys"]["get"]["responses"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (PROMPTS, {"id": "x"}, "id"),
        (PROMPTS, {"dismissed": "perhaps"}, "dismissed"),
        (PROMPTS, {"deployment_id": "00000000-0000-4000-8000-000000000000"}, "deployment_id"),
        ("/api/v1/reports/news", {"annotation_ids": ["nope"]}, "annotation_ids.0"),
        (
            "/api/v1/reports/news",
            {"annotation_ids": [str(uuid.uuid4()) for _ in range(201)]},
            "annotation_ids",
        ),
        ("/api/v1/reports/opt-out", {"actor_id": None}, "actor_id"),
    ],
)
def test_bad_showings_news_and_opt_outs_are_refused_naming_the_field(client, surveyed, path, body, field):
    widget, deployment, headers = surveyed
    base = {"id": str(uuid.uuid4()), "deployment_id": str(deployment.pk), "widget_id": str(widget.pk)}
    response = _post(client, path, {**base, **body}, headers)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert not SurveyPrompt.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(client, surveyed):
    _widget, _deployment, headers = surveyed
    response = _post(client, ANSWERS, ["overall_satisfaction", 5], headers)
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert not UserFeedback.objects.exists()
