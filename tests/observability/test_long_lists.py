"""Long lists stay small pages (issue 21): bottlenecks and regressions paginated with one resolve form
loaded on demand, the heatmap's worst widgets of each type with a page per type. Query counts stay flat."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from observability import selectors
from observability.models import BottleneckRecord, FrictionScore
from observability.views import BOTTLENECKS_PER_PAGE
from outcomes.models import Regression
from outcomes.views import REGRESSIONS_PER_PAGE
from tests.chain import accepted_candidate, decision_for, deployment_for, signal_for
from tests.factories import AnnotationFactory, WidgetFactory


def _bottlenecks(hub, count, stage="candidate_untriaged"):
    since = timezone.now() - timedelta(days=40)
    return BottleneckRecord.objects.bulk_create(
        [
            BottleneckRecord(
                hub=hub,
                stage=stage,
                subject_type="candidate",
                subject_id=uuid.uuid4(),
                stalled_since=since + timedelta(minutes=n),
            )
            for n in range(count)
        ]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, BOTTLENECKS_PER_PAGE + 7])
def test_bottlenecks_are_paginated_with_one_form_on_demand(
    client, people, django_assert_max_num_queries, count
):
    records = _bottlenecks(people.hub, count)
    _bottlenecks(people.hub, 2, stage="requirement_undecided")
    client.force_login(people.steward)
    url = reverse("observability:bottlenecks", args=[people.hub.slug])
    with django_assert_max_num_queries(8):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == min(count + 2, BOTTLENECKS_PER_PAGE)
    assert "bottleneck-resolve" not in html and 'name="note"' not in html
    assert f"Candidate not triaged ({count})" in html and f"All ({count + 2})" in html

    with django_assert_max_num_queries(8):
        stage = client.get(url, {"stage": "requirement_undecided"})
    assert [r.stage for r in stage.context["page"].object_list] == ["requirement_undecided"] * 2

    record = records[0]
    opened = client.get(url, {"resolve": str(record.pk)}).content.decode()
    assert opened.count('name="note"') == 1
    assert reverse("observability:bottleneck-resolve", args=[people.hub.slug, record.pk]) in opened
    row = client.get(url, {"resolve": str(record.pk)}, headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert row.content.decode().strip().startswith(f'<tr id="bottleneck-{record.pk}">')

    client.force_login(people.viewer)
    assert 'name="note"' not in client.get(url, {"resolve": str(record.pk)}).content.decode()
    record.refresh_from_db()
    assert record.resolved_at is None


@pytest.mark.django_db
def test_a_note_left_out_reopens_that_rows_form(client, people):
    record = _bottlenecks(people.hub, 1)[0]
    client.force_login(people.steward)
    url = reverse("observability:bottleneck-resolve", args=[people.hub.slug, record.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 422 and response.context["resolving"] == record.pk
    assert response.content.decode().count('name="note"') == 1
    record.refresh_from_db()
    assert record.resolved_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("per_type", [2, selectors.HEATMAP_PER_GROUP + 5])
def test_the_heatmap_shows_the_worst_of_each_type_and_a_page_per_type(
    client, people, django_assert_max_num_queries, per_type
):
    for n in range(per_type):
        FrictionScore.objects.create(widget=WidgetFactory(hub=people.hub, widget_type="form"), score=n)
    WidgetFactory(hub=people.hub, widget_type="form", name="Never scored")
    WidgetFactory(hub=people.hub, widget_type="button")
    client.force_login(people.viewer)
    url = reverse("observability:heatmap", args=[people.hub.slug])
    with django_assert_max_num_queries(6):
        response = client.get(url)
    groups = {g["widget_type"]: g for g in response.context["groups"]}
    forms = groups["form"]["widgets"]
    assert groups["form"]["total"] == per_type + 1 and groups["button"]["total"] == 1
    assert len(forms) == min(per_type + 1, selectors.HEATMAP_PER_GROUP)
    assert [w["score"] for w in forms[:2]] == [per_type - 1, per_type - 2]  # worst first
    html = response.content.decode()
    assert ("?type=form" in html) == (per_type + 1 > selectors.HEATMAP_PER_GROUP)
    assert reverse("feedback:widget", args=[people.hub.slug, forms[0]["pk"]]) in html

    with django_assert_max_num_queries(7):
        typed = client.get(url, {"type": "form"})
    cells = typed.context["groups"][0]["widgets"]
    assert len(cells) == per_type + 1 and cells[-1]["name"] == "Never scored"
    assert client.get(url, {"type": "x" * 101}).status_code == 400


def _regressions(people, count):
    candidate = accepted_candidate(people.hub)
    deployment = deployment_for(decision_for(people.hub, candidate=candidate))
    widget = candidate.source_widget
    signal = signal_for(deployment, widget)
    for n in range(count):
        annotation = AnnotationFactory(widget=widget, severity="high", body=f"Broke {n}")
        Regression.objects.create(
            hub=people.hub, widget=widget, signal=signal, annotation=annotation, deployment=deployment
        )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, REGRESSIONS_PER_PAGE + 3])
def test_regressions_are_paginated_with_one_form_on_demand(
    client, people, django_assert_max_num_queries, count
):
    _regressions(people, count)
    client.force_login(people.reviewer)
    url = reverse("outcomes:regressions", args=[people.hub.slug])
    with django_assert_max_num_queries(6):
        page = client.get(url)
    assert len(page.context["regressions"]) == min(count, REGRESSIONS_PER_PAGE)
    assert 'name="note"' not in page.content.decode()
    first = page.context["regressions"][0]
    opened = client.get(url, {"resolve": str(first.pk)}).content.decode()
    assert opened.count('name="note"') == 1
    row = client.get(url, {"resolve": str(first.pk)}, headers={"HX-Request": "true"}).content.decode()
    assert row.strip().startswith(f'<tr id="regression-{first.pk}">') and 'name="note"' in row
    if count > REGRESSIONS_PER_PAGE:
        assert len(client.get(url, {"page": 2}).context["regressions"]) == count - REGRESSIONS_PER_PAGE
    with django_assert_max_num_queries(5):
        panel = client.get(reverse("outcomes:dashboard-panel", args=[people.hub.slug, "regressions"]))
    assert len(panel.context["panel"]["regressions"]) == min(count, 10)
