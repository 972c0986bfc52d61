"""API v2: the learning loop's figures for a hub, read with the hub's read-scoped key (v1 is unchanged).

Lists follow seed 004's conventions: `page` (from 1) and `limit` (1–100), `sort` (a field, `-` first for
descending), filters by field, and the `total` of matching rows. Errors are v1's: JSON with a `code`, 422
naming each parameter that cannot be used."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.forms.models import model_to_dict
from django.http import HttpRequest, JsonResponse
from ninja import Router

from hubs.api import api_errors, authenticate, error, field_error
from hubs.errors import Code, FieldError
from hubs.schemas import REFUSALS, ErrorOut
from learning import selectors
from learning.models import CorrelationType, InstitutionalKnowledgeEntry, KnowledgeOutcome
from learning.schemas import (
    CorrelationPage,
    KnowledgePage,
    PatternPage,
    TrendOut,
)
from learning.schemas import InstitutionalKnowledgeEntry as EntrySchema

router = Router(tags=["v2"])
SECURITY: dict[str, Any] = {"security": [{"BearerAuth": []}]}
MAX_LIMIT = 100
NO_ENTRY = "No knowledge base entry {id} in this key's hub."
CORRELATION_SORTS: dict[str, list[Any]] = {
    "-effect_size": [F("effect_size").desc(nulls_last=True), "correlation_type", "factor_value"],
    "effect_size": [F("effect_size").asc(nulls_last=True), "correlation_type", "factor_value"],
    "-signals": ["-signals", "correlation_type", "factor_value"],
    "factor_value": ["factor_value", "correlation_type"],
}
PATTERN_SORTS = {
    "-deployments": lambda r: (-r["deployments"], r["pattern"]),
    "-success_rate": lambda r: (-(r["success_rate"] or 0), r["pattern"]),
    "success_rate": lambda r: (r["success_rate"] or 0, r["pattern"]),
    "-regressions": lambda r: (-r["regressions"], r["pattern"]),
    "pattern": lambda r: r["pattern"],
}


def _choice(errors: list[FieldError], name: str, value: str | None, allowed: Iterable[str]) -> None:
    if value is not None and value not in allowed:
        errors.append(FieldError(name, Code.NOT_ACCEPTED, f"one of {', '.join(allowed)}"))


def _paging(errors: list[FieldError], page: int, limit: int) -> None:
    if page < 1:
        errors.append(FieldError("page", Code.INVALID, "1 or more"))
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(FieldError("limit", Code.INVALID, f"between 1 and {MAX_LIMIT}"))


def _page(total: int, page: int, limit: int, items: list[Any]) -> JsonResponse:
    return JsonResponse({"total": total, "page": page, "limit": limit, "items": items})


@router.get(
    "/outcome-correlations",
    summary="The hub's latest outcome correlations",
    openapi_extra=SECURITY,
    response={200: CorrelationPage, 422: ErrorOut, **REFUSALS},
)
@api_errors
def outcome_correlations(
    request: HttpRequest,
    page: int = 1,
    limit: int = 20,
    sort: str = "-effect_size",
    correlation_type: str | None = None,
    factor_value: str | None = None,
    min_signals: int = 0,
) -> JsonResponse:
    """Rows of the latest run: how the signals after changes split per value of a factor."""
    hub = authenticate(request, "read")
    errors: list[FieldError] = []
    _paging(errors, page, limit)
    _choice(errors, "sort", sort, CORRELATION_SORTS)
    _choice(errors, "correlation_type", correlation_type, CorrelationType.values)
    if min_signals < 0:
        errors.append(FieldError("min_signals", Code.INVALID, "0 or more"))
    if errors:
        return field_error(422, *errors)
    rows = selectors.latest_correlations(hub.pk).filter(signals__gte=min_signals)
    if correlation_type:
        rows = rows.filter(correlation_type=correlation_type)
    if factor_value is not None:
        rows = rows.filter(factor_value=factor_value)
    fields = [f.name for f in rows.model._meta.fields if f.name != "hub"]
    items = list(rows.order_by(*CORRELATION_SORTS[sort]).values(*fields)[(page - 1) * limit : page * limit])
    return _page(rows.count(), page, limit, items)


@router.get(
    "/pattern-performance",
    summary="Each pattern's current figures (pattern_analytics)",
    openapi_extra=SECURITY,
    response={200: PatternPage, 422: ErrorOut, **REFUSALS},
)
@api_errors
def pattern_performance(
    request: HttpRequest,
    page: int = 1,
    limit: int = 20,
    sort: str = "-deployments",
    pattern: str | None = None,
    min_deployments: int = 0,
) -> JsonResponse:
    hub = authenticate(request, "read")
    errors: list[FieldError] = []
    _paging(errors, page, limit)
    _choice(errors, "sort", sort, PATTERN_SORTS)
    if min_deployments < 0:
        errors.append(FieldError("min_deployments", Code.INVALID, "0 or more"))
    if errors:
        return field_error(422, *errors)
    rows = [
        {**{k: v for k, v in r.items() if k != "pattern_id"}, "pattern": r["pattern_id"]}
        for r in selectors.pattern_figures(hub.pk, pattern)
        if r["deployments"] >= min_deployments
    ]
    for row in rows:
        for name in ("success_rate", "mean_evaluation_score", "mean_hours_to_first_signal"):
            row[name] = None if row[name] is None else float(row[name])
    rows.sort(key=PATTERN_SORTS[sort])
    return _page(len(rows), page, limit, rows[(page - 1) * limit : page * limit])


@router.get(
    "/knowledge-base",
    summary="Search the knowledge base",
    openapi_extra=SECURITY,
    response={200: KnowledgePage, 422: ErrorOut, **REFUSALS},
)
@api_errors
def knowledge_base(
    request: HttpRequest,
    q: str = "",
    page: int = 1,
    limit: int = 20,
    sort: str = "-rank",
    widget_type: str = "",
    pattern: str = "",
    outcome: str = "",
) -> JsonResponse:
    """Full-text search (websearch syntax: words, "phrases", -exclusions, or), ranked, with highlighted
    snippets; filters by widget type, pattern and outcome."""
    hub = authenticate(request, "read")
    errors: list[FieldError] = []
    _paging(errors, page, limit)
    _choice(errors, "sort", sort, selectors.SEARCH_SORTS)
    _choice(errors, "outcome", outcome or None, KnowledgeOutcome.values)
    if len(q) > 500:
        errors.append(FieldError("q", Code.TOO_LONG, "at most 500 characters"))
    if errors:
        return field_error(422, *errors)
    filters = selectors.KnowledgeFilters(
        q=q, widget_type=widget_type, pattern=pattern, outcome=outcome, sort=sort
    )
    total, rows = selectors.knowledge_search(hub.pk, filters, offset=(page - 1) * limit, limit=limit)
    for row in rows:
        row["snippet"] = str(row["snippet"])
    return _page(total, page, limit, rows)


@router.get(
    "/knowledge-base/{entry_id}",
    summary="One knowledge base entry",
    openapi_extra=SECURITY,
    response={200: EntrySchema, 404: ErrorOut, 422: ErrorOut, **REFUSALS},
)
@api_errors
def knowledge_entry(request: HttpRequest, entry_id: uuid.UUID) -> JsonResponse:
    hub = authenticate(request, "read")
    entry = InstitutionalKnowledgeEntry.objects.filter(pk=entry_id, hub_id=hub.pk).first()
    if entry is None:
        return error(404, NO_ENTRY.format(id=entry_id), Code.NOT_FOUND)
    data = model_to_dict(entry, exclude=["hub", "decision", "created_by"])
    data.update(id=entry.pk, decision_id=entry.decision_id, created_at=entry.created_at)
    return JsonResponse(data)


@router.get(
    "/trends",
    summary="A pattern metric over time, for charts",
    openapi_extra=SECURITY,
    response={200: TrendOut, 422: ErrorOut, **REFUSALS},
)
@api_errors
def trends(
    request: HttpRequest, metric: str, interval: str = "day", pattern: str | None = None
) -> JsonResponse:
    """Per pattern, the metric's value at the end of each day or week (its last snapshot in it)."""
    hub = authenticate(request, "read")
    errors: list[FieldError] = []
    _choice(errors, "metric", metric, selectors.TREND_METRICS)
    _choice(errors, "interval", interval, selectors.INTERVALS)
    if errors:
        return field_error(422, *errors)
    series = selectors.pattern_trend(hub.pk, metric, interval, pattern)
    return JsonResponse({"metric": metric, "interval": interval, "series": series})
