"""Bottlenecks name their subjects and link to them; readers see thresholds, not inputs they cannot save
(issue 19, item 6)."""

import pytest
from django.db import connection
from django.urls import reverse

from observability import compute
from observability.models import BottleneckThreshold
from tests.chain import accepted_candidate, decision_for, deployment_for, requirement_for
from tests.factories import CandidateFactory, WidgetFactory


@pytest.mark.django_db
def test_each_bottleneck_shows_its_subjects_title_and_links_to_it(
    client, people, django_assert_max_num_queries
):
    stale = "2020-01-01T00:00:00Z"
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), title="Card number is refused")
    requirement = requirement_for(accepted_candidate(people.hub, title="Explain the refusal"))
    decision = decision_for(people.hub, candidate=accepted_candidate(people.hub), decided_at=stale)
    deployment = deployment_for(
        decision_for(people.hub, candidate=accepted_candidate(people.hub)), deployed_at=stale, version="v9.1"
    )
    with connection.cursor() as cursor:
        for table in ("requirement_candidates", "requirements"):
            cursor.execute(f"UPDATE {table} SET created_at = %s", [stale])
    BottleneckThreshold.objects.bulk_create(
        BottleneckThreshold(hub=people.hub, stage=s, threshold_days=1)
        for s in (
            "candidate_untriaged",
            "requirement_undecided",
            "decision_undeployed",
            "deployment_unobserved",
        )
    )
    compute.detect_bottlenecks()
    client.force_login(people.viewer)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("observability:bottlenecks", args=[people.hub.slug])).content.decode()
    slug = people.hub.slug
    for title, url in [
        ("Card number is refused", reverse("feedback:candidate", args=[slug, candidate.pk])),
        ("Explain the refusal", reverse("governance:requirement", args=[slug, requirement.pk])),
        ("Decide", reverse("governance:decision", args=[slug, decision.pk])),
        ("Deployment v9.1", reverse("outcomes:deployment", args=[slug, deployment.pk])),
    ]:
        assert f'<a href="{url}">{title}</a>' in body
    assert "requirement_candidate " not in body


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "inputs"), [("viewer", False), ("reviewer", False), ("steward", True)])
def test_only_stewards_get_threshold_inputs(client, people, role, inputs):
    BottleneckThreshold.objects.create(hub=people.hub, stage="candidate_untriaged", threshold_days=12)
    client.force_login(getattr(people, role))
    body = client.get(reverse("observability:bottlenecks", args=[people.hub.slug])).content.decode()
    assert ('name="candidate_untriaged"' in body) is inputs
    assert ("Save thresholds" in body) is inputs
    assert "<dd>12</dd>" in body or inputs
