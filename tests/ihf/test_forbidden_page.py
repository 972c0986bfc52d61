"""A refused action shows the site's page with the reason, not a bare 403 (issue 19, item 4)."""

import pytest
from django.urls import reverse

from observability.models import CrossHubPropagation


@pytest.mark.django_db
def test_a_refused_action_explains_itself_in_the_sites_page(client, people):
    pattern = CrossHubPropagation.objects.create(
        pattern_type="widget_type_friction",
        source_hub=people.hub,
        affected_hub_ids=[str(people.hub.pk)],
        summary="Forms hurt",
        fingerprint="widget_type_friction:form",
    )
    client.force_login(people.viewer)
    response = client.post(
        reverse("observability:propagation-act", args=[pattern.pk]), {"action": "resolve", "note": "x"}
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "Only stewards of an involved hub act on a propagation." in body
    assert 'id="main"' in body and reverse("hubs:list") in body
