"""Lineage trigger benchmark: what trg_enrich_lineage costs an outcome signal insert (issue #17).

    bin/ihf bench lineage      (or: python bench/lineage.py with DATABASE_URL set)

Builds BENCH_DECISIONS decisions (default 50,000), each on its own candidate and deployed once, with
BENCH_HISTORY signals each already recorded (default 10), in a scratch database (ihf_bench_lineage, dropped
at the end). Then it inserts signals on random decisions with the trigger and with it disabled, in turns
(BENCH_ROUNDS, default 3, the median is kept) so that the machine's other load falls on both alike:
  single: one INSERT and one COMMIT per signal (BENCH_SINGLE signals a round);
  batch:  INSERT … SELECT of BENCH_BATCH signals per statement, one COMMIT each.
Goal: with the trigger, ≥ 0.8 × the rate without it, for both. Last, it checks that the folded summaries
equal enrich_lineage_on_outcome_batch()'s recompute.
"""

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "50000"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SINGLE = int(os.environ.get("BENCH_SINGLE", "2000"))
BATCH = int(os.environ.get("BENCH_BATCH", "500"))
BATCHES = int(os.environ.get("BENCH_BATCHES", "20"))
# BENCH_WAL_COMPRESSION=pglz|lz4: compress the full-page images in the WAL, for this benchmark's session (a
# superuser's SET). When commits wait on a busy disk, those images are most of what each signal costs.
WAL_COMPRESSION = os.environ.get("BENCH_WAL_COMPRESSION")
# A batch is what one evaluation run reports: the signals of a few deployments (BATCH_SPREAD), many per
# deployment. The worst case, every signal on another decision, is measured too and reported beside it.
BATCH_SPREAD = int(os.environ.get("BENCH_BATCH_SPREAD", "10"))
KINDS = {
    "single": lambda conn: _single(conn, SINGLE),
    "batch": lambda conn: _batch(conn, BATCHES, BATCH_SPREAD),
    "scattered batch": lambda conn: _batch(conn, BATCHES, BATCH),
}
GOAL = 0.8
TYPES = "(ARRAY['improved','regressed','neutral','inconclusive'])[1 + floor(random() * 4)::int]"


def _admin(base, sql):
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _build(conn):
    """Hub, 1,000 widgets, DECISIONS candidates with one decision and one deployment each, and history."""
    conn.execute(
        "INSERT INTO hubs (slug, name, domain, webhook_url, allowed_origins) "
        "VALUES ('bench', 'Bench', 'bench.example', '', '{}')"
    )
    conn.execute(
        "INSERT INTO widgets (name, widget_type, hub_id) "
        "SELECT 'w' || i, 'table', (SELECT id FROM hubs) FROM generate_series(1, 1000) i"
    )
    conn.execute(
        "CREATE TEMP TABLE w AS SELECT row_number() OVER () AS n, id FROM widgets; "
        "INSERT INTO requirement_candidates (title, description, status, source_widget_id) "
        "SELECT 'c' || i, 'd', 'accepted', (SELECT id FROM w WHERE n = 1 + i % 1000) "
        f"FROM generate_series(1, {DECISIONS}) i"
    )
    conn.execute(
        "INSERT INTO decision_records (title, rationale, outcome, hub_id, candidate_id) "
        "SELECT 'd', 'r', 'approved', (SELECT id FROM hubs), id FROM requirement_candidates"
    )
    conn.execute(
        "INSERT INTO deployment_records (version_ref, decision_id) SELECT 'v1', id FROM decision_records"
    )
    conn.execute(
        "CREATE TABLE bench_targets AS SELECT row_number() OVER () AS n, dep.id AS deployment_id, "
        "c.source_widget_id AS widget_id FROM deployment_records dep "
        "JOIN decision_records d ON d.id = dep.decision_id "
        "JOIN requirement_candidates c ON c.id = d.candidate_id"
    )
    conn.execute("CREATE UNIQUE INDEX ON bench_targets (n)")
    conn.execute(
        "INSERT INTO outcome_signals (deployment_id, widget_id, signal_type, observed_at) "
        f"SELECT t.deployment_id, t.widget_id, {TYPES}, now() - interval '1 day' * random() "
        f"FROM bench_targets t, generate_series(1, {HISTORY})"
    )
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False


def _single(conn, count):
    targets = [random.randint(1, DECISIONS) for _ in range(count)]
    started = time.perf_counter()
    for n in targets:
        conn.execute(
            "INSERT INTO outcome_signals (deployment_id, widget_id, signal_type) "
            f"SELECT deployment_id, widget_id, {TYPES} FROM bench_targets WHERE n = %s",
            [n],
        )
        conn.commit()
    return count / (time.perf_counter() - started)


def _batch(conn, batches, deployments):
    """Statements of BATCH signals spread over `deployments` random deployments."""
    started = time.perf_counter()
    for _ in range(batches):
        targets = [random.randint(1, DECISIONS) for _ in range(deployments)]
        conn.execute(
            "INSERT INTO outcome_signals (deployment_id, widget_id, signal_type) "
            f"SELECT t.deployment_id, t.widget_id, {TYPES} "
            f"FROM generate_series(1, {BATCH}) i JOIN bench_targets t ON t.n = (%s::int[])[1 + i %% %s]",
            [targets, deployments],
        )
        conn.commit()
    return batches * BATCH / (time.perf_counter() - started)


def _trigger(conn, on):
    conn.execute(f"ALTER TABLE outcome_signals {'ENABLE' if on else 'DISABLE'} TRIGGER trg_enrich_lineage")
    conn.commit()


def _agrees(conn) -> bool:
    conn.execute(
        "CREATE TEMP TABLE folded AS SELECT id, outcome_summary FROM decision_records "
        "UNION ALL SELECT id, outcome_summary FROM requirement_candidates"
    )
    conn.execute("SELECT enrich_lineage_on_outcome_batch()")
    changed = conn.execute(
        "SELECT count(*) FROM folded f LEFT JOIN (SELECT id, outcome_summary FROM decision_records "
        "UNION ALL SELECT id, outcome_summary FROM requirement_candidates) now USING (id) "
        "WHERE f.outcome_summary IS DISTINCT FROM now.outcome_summary"
    ).fetchone()[0]
    conn.rollback()
    return changed == 0


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench lineage does).", file=sys.stderr)
        return 2
    url = urlunsplit(urlsplit(base)._replace(path="/ihf_bench_lineage"))
    _admin(base, "DROP DATABASE IF EXISTS ihf_bench_lineage WITH (FORCE)")
    _admin(base, "CREATE DATABASE ihf_bench_lineage")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    try:
        print("migrating ihf_bench_lineage …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        with psycopg.connect(url) as conn:
            started = time.perf_counter()
            _build(conn)
            print(
                f"{DECISIONS:,} decisions, {DECISIONS * HISTORY:,} signals of history "
                f"({time.perf_counter() - started:.0f} s, the history in one statement through the trigger)"
            )
            if WAL_COMPRESSION:
                conn.execute(f"SET wal_compression = {WAL_COMPRESSION}")
                print(f"wal_compression = {WAL_COMPRESSION} for the measured inserts")
            rates: dict[tuple[str, bool], list[float]] = {}
            for round_ in range(ROUNDS):
                for on in (True, False) if round_ % 2 == 0 else (False, True):
                    for kind, run in KINDS.items():
                        _trigger(conn, on)
                        rates.setdefault((kind, on), []).append(run(conn))
            _trigger(conn, True)
            # The rounds without the trigger left summaries behind: recompute, then a round with it.
            conn.execute("SELECT enrich_lineage_on_outcome_batch()")
            conn.commit()
            _single(conn, SINGLE // 4)
            _batch(conn, max(1, BATCHES // 4), BATCH_SPREAD)
            ok = True
            for kind in KINDS:
                with_trigger = statistics.median(rates[(kind, True)])
                without = statistics.median(rates[(kind, False)])
                ratio = with_trigger / without
                goal = kind != "scattered batch"
                ok &= ratio >= GOAL or not goal
                verdict = ("ok" if ratio >= GOAL else "MISSED") if goal else "no goal"
                print(
                    f"{kind:15}: {with_trigger:8,.0f} signals/s with the trigger, {without:8,.0f} without: "
                    f"ratio {ratio:.2f} (goal ≥ {GOAL}) {verdict}   "
                    f"rounds with: {', '.join(f'{r:,.0f}' for r in rates[(kind, True)])}; "
                    f"without: {', '.join(f'{r:,.0f}' for r in rates[(kind, False)])}"
                )
            agrees = _agrees(conn)
            print(f"folded summaries equal the recompute: {'yes' if agrees else 'NO'}")
            return 0 if ok and agrees else 1
    finally:
        if not os.environ.get("BENCH_KEEP"):
            _admin(base, "DROP DATABASE IF EXISTS ihf_bench_lineage WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
