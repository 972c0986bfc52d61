"""API v2's JSON (learning/api.py builds the same shapes; tests/learning/test_api.py checks answers against
these). Every list is a page: {total, page, limit, items}."""

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema


class OutcomeCorrelation(Schema):
    id: uuid.UUID
    correlation_type: str
    factor_value: str
    signals: int
    improved: int
    regressed: int
    neutral: int
    inconclusive: int
    baseline_signals: int
    baseline_regressed: int
    regression_rate: float
    baseline_rate: float | None
    effect_size: float | None
    ci_low: float | None
    ci_high: float | None
    window_start: datetime
    window_end: datetime
    run_id: uuid.UUID
    computed_at: datetime


class PatternPerformanceRecord(Schema):
    pattern: str
    deployments: int
    observed_deployments: int
    successes: int
    regressions: int
    success_rate: float | None
    mean_evaluation_score: float | None
    mean_hours_to_first_signal: float | None
    deployments_last_7_days: int
    deployments_last_30_days: int
    last_activity: datetime | None


class InstitutionalKnowledgeEntry(Schema):
    id: uuid.UUID
    decision_id: uuid.UUID
    title: str
    problem: str
    decision_text: str
    rationale: str
    outcome: str
    evaluation: str
    links: list[dict[str, Any]]
    widget_type: str
    pattern: str
    created_at: datetime


class KnowledgeHit(Schema):
    """A search result: `snippet` is HTML, the entry's text escaped with the matches in <mark>."""

    id: uuid.UUID
    decision_id: uuid.UUID
    title: str
    outcome: str
    widget_type: str
    pattern: str
    created_at: datetime
    rank: float
    snippet: str


class CorrelationPage(Schema):
    total: int
    page: int
    limit: int
    items: list[OutcomeCorrelation]


class PatternPage(Schema):
    total: int
    page: int
    limit: int
    items: list[PatternPerformanceRecord]


class KnowledgePage(Schema):
    total: int
    page: int
    limit: int
    items: list[KnowledgeHit]


class TrendPoint(Schema):
    t: datetime
    value: float | None


class TrendSeries(Schema):
    pattern: str
    points: list[TrendPoint]


class TrendOut(Schema):
    metric: str
    interval: str
    series: list[TrendSeries]
