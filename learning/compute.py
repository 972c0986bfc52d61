"""Phase 12's recomputes. Each is one call of a set-based SQL function (sql/learning.sql,
sql/learning_compute.sql); refresh_all() runs them in the order their inputs need."""

import json
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from observability.compute import Run
from observability.models import DEFAULT_THRESHOLD_DAYS


def _call(sql: str, params: list[Any]) -> tuple[int, float]:
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0], time.perf_counter() - started


def compute_correlations() -> Run:
    rows, seconds = _call(
        "SELECT ihf_compute_outcome_correlations(%s)", [settings.IHF_LEARNING["window_days"]]
    )
    return Run("outcome correlations", rows, seconds)


def refresh_patterns() -> Run:
    rows, seconds = _call("SELECT ihf_snapshot_pattern_performance()", [])
    return Run("pattern snapshots", rows, seconds, "pattern_analytics refreshed concurrently")


def calibrate() -> Run:
    rules = settings.IHF_LEARNING
    defaults = {str(stage): days for stage, days in DEFAULT_THRESHOLD_DAYS.items()}
    rows, seconds = _call(
        "SELECT ihf_calibrate(%s, %s, %s, %s)",
        [
            json.dumps(defaults),
            json.dumps(settings.IHF_FRICTION_WEIGHTS),
            rules["window_days"],
            rules["min_samples"],
        ],
    )
    return Run("calibrations proposed", rows, seconds)


def generate_insights() -> Run:
    rules = settings.IHF_LEARNING
    rows, seconds = _call(
        "SELECT ihf_generate_insights(%s, %s, %s)",
        [rules["insight_days"], rules["min_deployments"], rules["window_days"]],
    )
    return Run("insights", rows, seconds, "new")


def enrich_lineage() -> Run:
    """The recompute of every lineage summary from the whole history (trg_enrich_lineage keeps them
    current signal by signal; this repairs what a race or a by-hand change left behind)."""
    rows, seconds = _call("SELECT enrich_lineage_on_outcome_batch()", [])
    return Run("lineage summaries", rows, seconds, "changed")


# Insights read correlations and pattern_analytics, so those come first.
STEPS = {
    "correlations": compute_correlations,
    "patterns": refresh_patterns,
    "calibrations": calibrate,
    "insights": generate_insights,
}


def refresh_all() -> list[Run]:
    return [step() for step in STEPS.values()]
