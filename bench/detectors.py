"""Detector accuracy benchmark: the phase 7 detectors against planted truth, at scale, over several seeds.

    bin/ihf bench detectors      (or: python bench/detectors.py with DATABASE_URL set)

Builds tests/observability/scenario.py's scenario (hubs with their own thresholds; subjects an hour either
side of every threshold and window; retractions; failed, dry-run and rolled-back deployments; time zones
from −12:00 to +14:00; clusters of stemmed words and near misses) in a scratch database (ihf_bench_detectors,
dropped at the end), runs the detectors in their job's order, and prints precision and recall per detector
and bottleneck stage against the truth, then checks that a second run changes nothing.
Goal: ≥ 0.95 precision and recall everywhere. BENCH_SEEDS (default 5), BENCH_HUBS (10), BENCH_PER_STAGE (40).
"""

import os
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEEDS = int(os.environ.get("BENCH_SEEDS", "5"))
HUBS = int(os.environ.get("BENCH_HUBS", "10"))
PER_STAGE = int(os.environ.get("BENCH_PER_STAGE", "40"))
GOAL = 0.95


def _admin(base, sql):
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _wipe():
    from django.db import connection

    with connection.cursor() as cursor:
        # The history tables refuse TRUNCATE (sql/history_no_truncate.sql); this scratch database is the
        # benchmark's own, so it turns triggers off for one emptying statement (as tests/conftest.py does).
        cursor.execute("BEGIN")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "TRUNCATE hubs, users, bottleneck_thresholds, bottleneck_records, cross_hub_propagations, "
            "friction_scores, hub_health_snapshots, procrastinate_jobs CASCADE"
        )
        cursor.execute("COMMIT")


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench detectors does).", file=sys.stderr)
        return 2
    url = urlunsplit(urlsplit(base)._replace(path="/ihf_bench_detectors"))
    _admin(base, "DROP DATABASE IF EXISTS ihf_bench_detectors WITH (FORCE)")
    _admin(base, "CREATE DATABASE ihf_bench_detectors")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    try:
        print("migrating ihf_bench_detectors …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiring.settings")
        import django

        warnings.filterwarnings("ignore", message="No directory at")
        django.setup()
        from observability import compute
        from tests.observability.judging import score, unchanged_on_rerun
        from tests.observability.scenario import Scenario

        worst: dict = {}
        failures = 0
        for n in range(SEEDS):
            seed = random.SystemRandom().randrange(2**32)
            _wipe()
            started = time.perf_counter()
            scenario = Scenario(seed, hubs=HUBS, per_stage=PER_STAGE, clusters=4).build()
            built = time.perf_counter() - started
            runs = compute.refresh_all()
            report = score(scenario)
            before = unchanged_on_rerun()
            again = compute.refresh_all()
            stable = unchanged_on_rerun() == before and again[1].detail.startswith("0 opened, 0 re-rated")
            print(
                f"seed {seed} ({n + 1}/{SEEDS}): {len(scenario.widgets):,} widgets, "
                f"{len(scenario.truth.stalled):,} planted stalls, built in {built:.1f} s; "
                + "; ".join(str(run) for run in runs)
                + f"; second run changes nothing: {'yes' if stable else 'NO'}",
                flush=True,
            )
            failures += not stable
            for name, figures in report.items():
                low = min(figures["precision"], figures["recall"]) < GOAL
                failures += low
                print(
                    f"  {name:36} precision {figures['precision']:.3f}  recall {figures['recall']:.3f}"
                    f"  ({figures['found']} found, {figures['planted']} planted)"
                    + (
                        f"  — UNDER {GOAL}: wrong {figures['wrong']}, missed {figures['missed']}"
                        if low
                        else ""
                    ),
                    flush=True,
                )
                previous = worst.get(name, (1.0, 1.0))
                worst[name] = (min(previous[0], figures["precision"]), min(previous[1], figures["recall"]))
        print(f"worst over {SEEDS} seeds (goal ≥ {GOAL}):")
        for name, (precision, recall) in worst.items():
            print(f"  {name:36} precision {precision:.3f}  recall {recall:.3f}")
        from django.db import connections

        connections.close_all()
        return 1 if failures else 0
    finally:
        if not os.environ.get("BENCH_KEEP"):
            _admin(base, "DROP DATABASE IF EXISTS ihf_bench_detectors WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
