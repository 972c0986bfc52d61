"""Reads of the learning loop, scoped to one hub. Pattern figures come from the pattern_analytics view and
search from the entries' tsvector, both in SQL; the rest are QuerySets."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from learning.models import (
    AdaptiveThresholdConfig,
    CalibrationStatus,
    InsightStatus,
    LearningInsight,
    OutcomeCorrelation,
)

# ts_headline marks matches with these; they are taken out of the text first, so each one is a marker.
START, STOP = "\x02", "\x03"
HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=24, MinWords=8"
PATTERN_COLUMNS = (
    "pattern_id",
    "deployments",
    "observed_deployments",
    "successes",
    "regressions",
    "success_rate",
    "mean_evaluation_score",
    "mean_hours_to_first_signal",
    "deployments_last_7_days",
    "deployments_last_30_days",
    "last_activity",
)
TREND_METRICS = {
    "success_rate": "success_rate",
    "regressions": "regressions",
    "deployments": "deployments",
    "mean_evaluation_score": "mean_evaluation_score",
    "mean_hours_to_first_signal": "mean_hours_to_first_signal",
}
INTERVALS = ("day", "week")
SEARCH_SORTS = {
    "-rank": "rank DESC, e.created_at DESC, e.id",
    "-created_at": "e.created_at DESC, e.id",
    "created_at": "e.created_at, e.id",
    "title": "e.title, e.id",
}


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def latest_correlations(hub_id: uuid.UUID) -> QuerySet[OutcomeCorrelation]:
    """The hub's rows of its latest correlation run, strongest effect first."""
    latest = OutcomeCorrelation.objects.filter(hub_id=hub_id).order_by("-computed_at").values("run_id")[:1]
    return OutcomeCorrelation.objects.filter(hub_id=hub_id, run_id__in=latest).order_by(
        F("effect_size").desc(nulls_last=True), "correlation_type", "factor_value"
    )


def correlation_hint(hub_id: uuid.UUID, *, category: str, widget_type: str) -> list[OutcomeCorrelation]:
    """The latest correlation rows for a candidate's category and widget type (the candidate page's hint)."""
    wanted = [("annotation_category", category), ("widget_type", widget_type)]
    rows = latest_correlations(hub_id).filter(correlation_type__in=[t for t, _ in wanted])
    return [row for row in rows if (row.correlation_type, row.factor_value) in wanted]


def pattern_figures(hub_id: uuid.UUID, pattern: str | None = None) -> list[dict[str, Any]]:
    """Each pattern's current figures (pattern_analytics), most deployed first."""
    sql = f"SELECT {', '.join(PATTERN_COLUMNS)} FROM pattern_analytics WHERE hub_id = %s"
    params: list[Any] = [hub_id]
    if pattern is not None:
        sql += " AND pattern_id = %s"
        params.append(pattern)
    return _rows(sql + " ORDER BY deployments DESC, pattern_id", params)


def pattern_trend(
    hub_id: uuid.UUID, metric: str, interval: str, pattern: str | None = None
) -> list[dict[str, Any]]:
    """{pattern, points: [{t, value}]} per pattern: each bucket's last snapshot of `metric`."""
    column = TREND_METRICS[metric]
    if interval not in INTERVALS:
        raise ValueError(interval)
    rows = _rows(
        f"SELECT DISTINCT ON (pattern, t) pattern, date_trunc(%s, snapshot_at) AS t, {column} AS value "
        "FROM pattern_performance_records WHERE hub_id = %s AND (%s::text IS NULL OR pattern = %s) "
        "ORDER BY pattern, t, snapshot_at DESC",
        [interval, hub_id, pattern, pattern],
    )
    series: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        value = row["value"]
        series.setdefault(row["pattern"], []).append(
            {"t": row["t"].isoformat(), "value": None if value is None else float(value)}
        )
    return [{"pattern": name, "points": points} for name, points in series.items()]


def pending_calibrations(hub_id: uuid.UUID) -> QuerySet[AdaptiveThresholdConfig]:
    return AdaptiveThresholdConfig.objects.filter(hub_id=hub_id, status=CalibrationStatus.PROPOSED).order_by(
        "config_type", "stage"
    )


def new_insights(hub_id: uuid.UUID) -> QuerySet[LearningInsight]:
    return LearningInsight.objects.filter(hub_id=hub_id, status=InsightStatus.NEW).order_by(
        "-created_at", "insight_type"
    )


@dataclass(frozen=True)
class KnowledgeFilters:
    q: str = ""
    widget_type: str = ""
    pattern: str = ""
    outcome: str = ""
    sort: str = "-rank"


def _knowledge_where(hub_id: uuid.UUID, filters: KnowledgeFilters) -> tuple[str, list[Any]]:
    """The WHERE clause: the text condition only when there is text, so that it is a plain `@@` the GIN
    index serves (an OR around it would make PostgreSQL test every entry of the hub)."""
    where = ["e.hub_id = %s"]
    params: list[Any] = [hub_id]
    if filters.q:
        where.append("e.search_vector @@ websearch_to_tsquery('english', %s)")
        params.append(filters.q)
    for column in ("widget_type", "pattern", "outcome"):
        value = getattr(filters, column)
        if value:
            where.append(f"e.{column} = %s")
            params.append(value)
    return " AND ".join(where), params


def headline(text: str) -> SafeString:
    """ts_headline's text, escaped, with its markers as <mark>."""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def knowledge_search(
    hub_id: uuid.UUID, filters: KnowledgeFilters, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """(total, a page of entries ranked by ts_rank_cd, each with a highlighted `snippet`). Without text the
    rank is 0 and the snippet the text's start; ts_headline runs only on the page's rows."""
    where, params = _knowledge_where(hub_id, filters)
    text = "translate(e.problem || ' ' || e.decision_text || ' ' || e.rationale, E'\\x02\\x03', '')"
    if filters.q:
        rank = "ts_rank_cd(e.search_vector, websearch_to_tsquery('english', %s))"
        snippet = f"ts_headline('english', {text}, websearch_to_tsquery('english', %s), %s)"
        rank_params, snippet_params = [filters.q], [filters.q, HEADLINE_OPTIONS]
    else:
        rank, snippet, rank_params, snippet_params = "0::real", f"left({text}, 240)", [], []
    # The page is chosen on keys and rank alone; its text is read and highlighted for its rows only (a
    # function in the inner select list would run for every match before the sort). The total is counted
    # over the same matches, in the same scan.
    rows = _rows(
        "SELECT e.id, e.title, e.outcome, e.widget_type, e.pattern, e.created_at, e.decision_id, p.rank, "
        f"p.total, {snippet} AS snippet FROM ("
        f"SELECT e.id, e.created_at, e.title, {rank} AS rank, count(*) OVER () AS total "
        "FROM institutional_knowledge_entries e "
        f"WHERE {where} ORDER BY {SEARCH_SORTS[filters.sort]} LIMIT %s OFFSET %s) AS p "
        "JOIN institutional_knowledge_entries e ON e.id = p.id "
        f"ORDER BY {SEARCH_SORTS[filters.sort].replace('e.', 'p.').replace('rank', 'p.rank')}",
        [*snippet_params, *rank_params, *params, limit, offset],
    )
    if rows:
        total = rows[0]["total"]
    else:  # past the last page (or nothing matches): the count alone
        total = _rows(f"SELECT count(*) AS n FROM institutional_knowledge_entries e WHERE {where}", params)[
            0
        ]["n"]
    for row in rows:
        row["snippet"] = headline(row.pop("snippet"))
        del row["total"]
    if filters.q and filters.sort == "-rank":
        rows = rerank(rows, filters.q)
    return total, rows


# How much the meaning (phase 5's embeddings) counts beside the words (ts_rank_cd) when a page is re-ranked.
MEANING_WEIGHT = 0.5


def rerank(rows: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Re-rank a page of text matches by meaning: score = (1 − w) · rank ÷ the page's best rank + w · cosine
    similarity of the query and the entry's decision (phase 5's vectors), w = MEANING_WEIGHT. An entry whose
    decision has no vector yet keeps its text score alone, scaled by (1 − w) like the others' (so it is not
    pushed up for lacking one). docs/metrics.md, "Knowledge search"."""
    from assist import embeddings, model
    from assist.models import SubjectType

    vectors = embeddings.vectors(SubjectType.DECISION, [row["decision_id"] for row in rows])
    if not vectors:
        return rows
    query_vector = model.encode([query])[0]
    best = max((float(row["rank"]) for row in rows), default=0.0) or 1.0
    for row in rows:
        vector = vectors.get(str(row["decision_id"]))
        row["similarity"] = float(vector @ query_vector) if vector is not None else None
        row["score"] = (1 - MEANING_WEIGHT) * float(row["rank"]) / best + MEANING_WEIGHT * (
            row["similarity"] or 0.0
        )
    return sorted(rows, key=lambda row: -row["score"])


def similar_knowledge(hub_id: uuid.UUID, text: str, *, limit: int = 3) -> list[dict[str, Any]]:
    """Entries about a similar problem: any of the text's words, best ranked first (the candidate page)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_literal(lexeme), ' | ') FROM unnest(to_tsvector('english', %s))", [text]
        )
        words = cursor.fetchone()[0]
    if not words:
        return []
    return _rows(
        "SELECT e.id, e.title, e.outcome, e.pattern, ts_rank_cd(e.search_vector, q) AS rank "
        "FROM institutional_knowledge_entries e, to_tsquery('simple', %s) AS q "
        "WHERE e.hub_id = %s AND e.search_vector @@ q ORDER BY rank DESC, e.created_at DESC LIMIT %s",
        [words, hub_id, limit],
    )


def suggested_patterns(hub_id: uuid.UUID, text: str, *, limit: int = 3) -> list[dict[str, Any]]:
    """Patterns of similar past decisions (their knowledge entries), then the hub's most deployed ones,
    each with its current figures (the decision form's suggestion)."""
    names = [e["pattern"] for e in similar_knowledge(hub_id, text, limit=10) if e["pattern"]]
    figures = {row["pattern_id"]: row for row in pattern_figures(hub_id)}
    ordered = list(dict.fromkeys([*names, *figures]))[:limit]
    return [figures.get(name, {"pattern_id": name}) for name in ordered]


def confidence_weight(hub_id: uuid.UUID, pattern: str | None, proposal_type: str | None = None) -> float:
    """The factor by which phase 5 weighs a proposal's confidence: how changes of this pattern fared in
    this hub, (successes + 1) / (observed + 2) (Laplace's rule, so no evidence gives 0.5), mapped to
    0.5–1.5; times the same share for the proposal type's reviews in the hub (accepted or modified against
    rejected). No evidence either way gives 1 (docs/metrics.md)."""
    weight = 1.0
    if pattern:
        rows = pattern_figures(hub_id, pattern)
        successes = rows[0]["successes"] if rows else 0
        observed = rows[0]["observed_deployments"] if rows else 0
        weight *= 0.5 + (successes + 1) / (observed + 2)
    if proposal_type:
        accepted, reviewed = _rows(
            "SELECT count(*) FILTER (WHERE v.decision <> 'rejected') AS accepted, count(*) AS reviewed "
            "FROM agent_review_records v JOIN agent_proposals p ON p.id = v.proposal_id "
            "WHERE p.hub_id = %s AND p.proposal_type = %s",
            [hub_id, proposal_type],
        )[0].values()
        weight *= 0.5 + (accepted + 1) / (reviewed + 2)
    return round(weight, 4)
