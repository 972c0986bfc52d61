import pytest
from django.core.management import call_command

from feedback.models import NotificationOutcome
from surveys.models import DeploymentSurvey, ReporterVerdict, SignalSuggestion, SurveyPrompt, UserFeedback

SMALL = {"widgets_per_hub": 3, "events": 1500, "annotations": 40}


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (DeploymentSurvey, SurveyPrompt, UserFeedback, SignalSuggestion, ReporterVerdict)
    } | {"verdict emails": NotificationOutcome.objects.filter(notification_type="verdict").count()}


@pytest.mark.django_db
def test_the_demo_has_survey_answers_suggestions_and_verdicts_and_a_second_run_adds_none(settings):
    settings.DEBUG = True
    call_command("seed_demo", **SMALL)
    first = _counts()
    assert first["DeploymentSurvey"] > 0 and first["UserFeedback"] >= 24 * first["DeploymentSurvey"]
    assert first["SurveyPrompt"] > first["UserFeedback"]  # some were dismissed
    assert first["SignalSuggestion"] > 0 and first["ReporterVerdict"] > 0
    call_command("seed_demo", **SMALL)
    assert _counts() == first
