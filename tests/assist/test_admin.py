import pytest
from django.urls import reverse

from assist.models import AgentProposal, AiCall
from assist.proposers.common import create

pytestmark = pytest.mark.django_db


def test_the_admin_shows_proposals_and_calls_read_only(client, people):
    proposal = create(
        proposal_type="summary",
        hub_id=people.hub.pk,
        content="A summary",
        model_ref="test",
        confidence=0.5,
        notes={"accuracy": (0.9, "quoted")},
    )
    AiCall.objects.create(
        task="summary", model_ref="test", latency_ms=12, status="ok", input_size=3, output_size=1
    )
    client.force_login(people.admin)
    for name in [
        "agentproposal",
        "agentreviewrecord",
        "aicall",
        "categoryclassifier",
        "annotationcategorisation",
    ]:
        assert client.get(reverse(f"admin:assist_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:assist_agentproposal_change", args=[proposal.pk]))
    assert page.status_code == 200 and "quoted" in page.content.decode()
    edit = client.post(
        reverse("admin:assist_agentproposal_change", args=[proposal.pk]), {"content": "changed"}
    )
    assert edit.status_code == 403 and AgentProposal.objects.get().content == "A summary"
    assert client.get(reverse("admin:assist_aicall_add")).status_code == 403
