"""The phase 7 computations. Each is one call of a set-based SQL function (sql/observability.sql,
sql/detectors_as_documented.sql); refresh_all() runs them in the order their inputs need."""

import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from observability.models import DEFAULT_THRESHOLD_DAYS


@dataclass
class Run:
    what: str
    rows: int
    seconds: float
    detail: str = ""

    def __str__(self):
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.what}: {self.rows:,} in {self.seconds * 1000:,.0f} ms{extra}"


def _call(sql, params):
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row, time.perf_counter() - started


def recompute_friction(hub=None) -> Run:
    """Each hub on its own weights: the settings' defaults overlaid with its applied calibration."""
    row, seconds = _call(
        "SELECT ihf_recompute_friction_calibrated(%s, %s)",
        [hub.pk if hub else None, json.dumps(settings.IHF_FRICTION_WEIGHTS)],
    )
    return Run("friction scores", row[0], seconds)


def detect_bottlenecks() -> Run:
    defaults = {str(stage): days for stage, days in DEFAULT_THRESHOLD_DAYS.items()}
    row, seconds = _call("SELECT * FROM ihf_detect_bottlenecks(%s)", [json.dumps(defaults)])
    opened, updated, resolved = row
    return Run("bottlenecks", opened, seconds, f"{opened} opened, {updated} re-rated, {resolved} resolved")


def snapshot_health() -> Run:
    row, seconds = _call("SELECT ihf_snapshot_health(%s)", [json.dumps(settings.IHF_HEALTH_RULES)])
    return Run("health snapshots", row[0], seconds)


def detect_propagations() -> Run:
    rules = settings.IHF_PROPAGATION
    row, seconds = _call(
        "SELECT ihf_detect_propagations(%s, %s, %s, %s)",
        [
            rules["window_days"],
            rules["min_shared_words"],
            rules["max_word_frequency"],
            settings.IHF_FRICTION_BANDS["red"],
        ],
    )
    return Run("cross-hub propagations", row[0], seconds, "new patterns")


def refresh_all() -> list[Run]:
    """Every detector in dependency order: health counts high-friction widgets and open bottlenecks, and
    propagation reads friction, so friction and bottlenecks come first."""
    return [recompute_friction(), detect_bottlenecks(), snapshot_health(), detect_propagations()]
