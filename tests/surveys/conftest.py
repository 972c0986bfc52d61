import pytest

from surveys.models import DeploymentSurvey
from tests.chain import decision_for, deployment_for
from tests.factories import CandidateFactory, WidgetFactory, api_key


@pytest.fixture
def surveyed(people, contracts):
    """A succeeded deployment of a change to `widget` in people.hub, with its survey on, and an ingest key."""
    widget = WidgetFactory(hub=people.hub, name="Checkout button")
    candidate = CandidateFactory(source_widget=widget, status="accepted")
    decision = decision_for(people.hub, candidate=candidate, user=people.reviewer)
    deployment = deployment_for(decision, version="v2")
    DeploymentSurvey.objects.create(deployment=deployment, enabled=True)
    _key, raw = api_key(people.hub)
    return widget, deployment, {"Authorization": f"Bearer {raw}"}
