"""API v2 over the worked example: answers match the schemas OpenAPI documents, pages and filters and
sorts work, bad parameters are named in a 422, and a key sees only its own hub."""

import pytest

from learning import compute, services
from learning.schemas import (
    CorrelationPage,
    InstitutionalKnowledgeEntry,
    KnowledgePage,
    PatternPage,
    TrendOut,
)
from tests.factories import api_key
from tests.learning import history

V2 = "/api/v2"


@pytest.fixture
def v2(people, settings):
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    small = history.build(people)
    compute.refresh_all()
    entry = services.knowledge_distil(decision=small.decisions["D1"], actor=people.steward)
    services.knowledge_distil(decision=small.decisions["D3"], actor=people.steward)
    _key, raw = api_key(people.hub, scope="read")
    return entry, {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
def test_correlations_page_sort_and_filter(client, v2, django_assert_max_num_queries):
    _entry, headers = v2
    with django_assert_max_num_queries(4):
        answer = client.get(f"{V2}/outcome-correlations?limit=3&page=2", headers=headers)
    assert answer.status_code == 200
    page = CorrelationPage.model_validate(answer.json())
    assert (page.total, page.page, page.limit, len(page.items)) == (9, 2, 3, 3)
    first = client.get(f"{V2}/outcome-correlations?limit=1", headers=headers).json()["items"][0]
    assert (first["correlation_type"], first["effect_size"]) == ("annotation_severity", 0.6667)
    only = client.get(
        f"{V2}/outcome-correlations?correlation_type=widget_type&sort=factor_value", headers=headers
    ).json()
    assert [i["factor_value"] for i in only["items"]] == ["chart", "table"] and only["total"] == 2


@pytest.mark.django_db
def test_pattern_performance_and_trends(client, v2):
    _entry, headers = v2
    answer = client.get(f"{V2}/pattern-performance?sort=-success_rate", headers=headers)
    page = PatternPage.model_validate(answer.json())
    assert [(p.pattern, p.success_rate, p.successes) for p in page.items] == [
        ("simplify", 1.0, 1),
        ("aria-labels", 0.5, 1),
    ]
    trend = client.get(f"{V2}/trends?metric=success_rate&interval=week", headers=headers)
    series = TrendOut.model_validate(trend.json()).series
    assert {(s.pattern, s.points[0].value) for s in series} == {("aria-labels", 0.5), ("simplify", 1.0)}


@pytest.mark.django_db
def test_knowledge_search_ranks_highlights_and_filters(client, v2):
    entry, headers = v2
    answer = client.get(f"{V2}/knowledge-base?q=accessibility", headers=headers)
    page = KnowledgePage.model_validate(answer.json())
    assert page.total == 1 and page.items[0].id == entry.pk
    assert "<mark>accessibility</mark>" in page.items[0].snippet
    assert client.get(f"{V2}/knowledge-base?outcome=mixed", headers=headers).json()["total"] == 1
    simplify = client.get(f"{V2}/knowledge-base?pattern=simplify", headers=headers).json()
    assert simplify["total"] == 1, simplify
    everything = client.get(f"{V2}/knowledge-base?sort=title", headers=headers).json()
    assert [i["title"] for i in everything["items"]] == [
        "Fix accessibility on the table",
        "Fix friction on the chart",
    ]
    one = client.get(f"{V2}/knowledge-base/{entry.pk}", headers=headers)
    stored = InstitutionalKnowledgeEntry.model_validate(one.json())
    assert (stored.outcome, stored.pattern, stored.evaluation) == ("mixed", "aria-labels", "2/5: r")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/outcome-correlations?page=0", "page"),
        ("/outcome-correlations?limit=101", "limit"),
        ("/outcome-correlations?sort=hub", "sort"),
        ("/outcome-correlations?correlation_type=colour", "correlation_type"),
        ("/outcome-correlations?min_signals=-1", "min_signals"),
        ("/outcome-correlations?limit=many", "limit"),
        ("/pattern-performance?sort=-name", "sort"),
        ("/pattern-performance?min_deployments=-2", "min_deployments"),
        ("/knowledge-base?outcome=great", "outcome"),
        ("/knowledge-base?sort=rank", "sort"),
        ("/knowledge-base?q=" + "x" * 501, "q"),
        ("/trends?metric=colour", "metric"),
        ("/trends?metric=success_rate&interval=month", "interval"),
        ("/trends", "metric"),
        ("/knowledge-base/not-a-uuid", "entry_id"),
    ],
)
def test_bad_parameters_are_named(client, v2, query, field):
    _entry, headers = v2
    answer = client.get(f"{V2}{query}", headers=headers)
    assert answer.status_code == 422, answer.content
    assert field in [e["field"] for e in answer.json()["errors"]]


@pytest.mark.django_db
def test_keys_see_their_own_hub_with_the_read_scope_only(client, v2, people):
    entry, _headers = v2
    _other, other_raw = api_key(people.other_hub, scope="read")
    other = {"Authorization": f"Bearer {other_raw}"}
    assert client.get(f"{V2}/knowledge-base/{entry.pk}", headers=other).status_code == 404
    assert client.get(f"{V2}/knowledge-base", headers=other).json()["total"] == 0
    assert client.get(f"{V2}/pattern-performance", headers=other).json()["total"] == 0
    beta = client.get(f"{V2}/outcome-correlations", headers=other).json()
    assert {i["factor_value"] for i in beta["items"] if i["correlation_type"] == "hub"} == {"beta"}
    _ingest, ingest_raw = api_key(people.hub)
    wrong = client.get(f"{V2}/outcome-correlations", headers={"Authorization": f"Bearer {ingest_raw}"})
    assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_scope")
    assert client.get(f"{V2}/trends?metric=deployments").status_code == 401


@pytest.mark.django_db
def test_openapi_documents_v2_with_its_schemas(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"OutcomeCorrelation", "PatternPerformanceRecord", "InstitutionalKnowledgeEntry"} <= set(schemas)
    for path in [
        "outcome-correlations",
        "pattern-performance",
        "knowledge-base",
        "knowledge-base/{entry_id}",
    ]:
        answers = document["paths"][f"/api/v2/{path}"]["get"]["responses"]
        assert {"200", "401", "403", "422"} <= set(answers)
    assert "/api/v1/widgets" in document["paths"]
