import pytest
from django.urls import reverse

from feedback.models import Annotation
from hubs.models import InteractionEvent, Widget
from tests.factories import AnnotationFactory, EventFactory, HubFactory, UserFactory, WidgetFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        "ihf_user",
        "hubs_hub",
        "hubs_hubmembership",
        "hubs_widget",
        "hubs_widgetversion",
        "hubs_interactionevent",
        "hubs_widgetdailyeventcount",
        "feedback_annotation",
        "feedback_annotationthread",
        "feedback_requirementcandidate",
        "feedback_triagestate",
        "feedback_reviewerassignment",
        "feedback_notificationoutcome",
        "governance_requirement",
        "governance_decisionrecord",
        "governance_policyreference",
        "governance_implementationchangereference",
        "outcomes_deploymentrecord",
        "outcomes_remediationevent",
        "outcomes_outcomesignal",
        "outcomes_changeevaluation",
        "outcomes_regression",
        "hubs_apikey",
        "observability_frictionscore",
        "observability_bottleneckrecord",
        "observability_bottleneckthreshold",
        "observability_hubhealthsnapshot",
        "observability_crosshubpropagation",
    ],
)
def test_every_model_has_an_admin_changelist(admin_client, model):
    EventFactory()
    AnnotationFactory()
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


@pytest.mark.django_db
def test_interaction_events_are_read_only_in_the_admin(admin_client):
    event = EventFactory(event_type="clicked")
    change = reverse("admin:hubs_interactionevent_change", args=[event.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert "Save" not in page.content.decode() and "Delete" not in page.content.decode()
    assert admin_client.get(reverse("admin:hubs_interactionevent_add")).status_code == 403
    assert admin_client.post(change, {"event_type": "viewed"}).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:hubs_interactionevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert InteractionEvent.objects.get(pk=event.pk).event_type == "clicked"


@pytest.mark.django_db
def test_editing_a_widget_in_the_admin_makes_a_new_version(admin_client):
    widget = WidgetFactory(hub=HubFactory(), name="Pay")
    version = widget.versions.get()
    response = admin_client.post(
        reverse("admin:hubs_widget_change", args=[widget.pk]),
        {
            "hub": widget.hub_id,
            "name": "Pay now",
            "widget_type": "button",
            "policy_scope": "internal",
            "status": "active",
            "view_context": widget.view_context,
            "capability_ref": "",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-0-id": str(version.pk),
            "versions-0-widget": str(widget.pk),
        },
    )
    assert response.status_code == 302
    widget = Widget.objects.get(pk=widget.pk)
    assert (widget.name, widget.version) == ("Pay now", 2)
    assert widget.versions.get(version=2).schema_snapshot["name"] == "Pay now"


@pytest.mark.django_db
def test_non_staff_members_cannot_use_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:hubs_widget_changelist"))
    assert response.status_code == 302
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
def test_a_key_revoked_in_the_admin_is_refused_at_once(admin_client, contracts):
    from datetime import UTC, datetime

    from hubs.models import ApiKey
    from tests.factories import api_key

    widget = WidgetFactory()
    key, raw = api_key(widget.hub)
    event = {
        "widget_id": str(widget.pk),
        "event_type": "clicked",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    post = {"content_type": "application/json", "headers": {"Authorization": f"Bearer {raw}"}}
    assert admin_client.post("/api/v1/interaction-events", event, **post).status_code == 201
    response = admin_client.post(
        reverse("admin:hubs_apikey_change", args=[key.pk]),
        {
            "name": key.name,
            "rate_limit_per_minute": key.rate_limit_per_minute,
            "revoked_at_0": "2026-01-01",
            "revoked_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert admin_client.post("/api/v1/interaction-events", event, **post).status_code == 401
    assert InteractionEvent.objects.count() == 1
