"""The large installation of `bin/ihf bench pages` (issue 21), built with set-based SQL in a scratch database.

100 hubs and 10,000 widgets (1,000 in hub-0); 3M events over 90 days, 300k of them on hub-0's widget 0;
100k annotations; 20k candidates, 5,000 of them open in hub-0; 5k decisions, 3k deployments, 20k signals.
Every statement generates its rows in PostgreSQL (generate_series), so the load takes about as long as the
database needs to write and index them: no row crosses the wire. Not a benchmark itself: bench/pages.py
imports it.
"""

import sys
import time

import psycopg

EVENTS = 3_000_000
BUSY_EVERY = 10  # every 10th event is on widget 0: 300k
CHUNK = 500_000
ANNOTATIONS = 100_000
WORDS = (
    "ARRAY['coupon','checkout','lowercase','discount','total','slow','scroll','filter','export','invoice',"
    "'keyboard','reader','contrast','upload','preview','timezone','pagination','tooltip']"
)
TYPES = "ARRAY['button','form','search-box','data-table','chart','navigation','modal','date-picker']"

SETUP = [
    """INSERT INTO hubs (id, slug, name, domain, allowed_origins, webhook_url)
       SELECT gen_random_uuid(), 'hub-' || n, 'Hub ' || lpad(n::text, 3, '0'), 'bench.local', '[]', ''
       FROM generate_series(0, 99) n""",
    # Widget n: 0–999 in hub-0, the other 9,000 round the remaining 99 hubs.
    """CREATE TEMP TABLE bw AS
       SELECT n, gen_random_uuid() AS id, CASE WHEN n < 1000 THEN 0 ELSE 1 + (n - 1000) % 99 END AS hubn
       FROM generate_series(0, 9999) n""",
    "CREATE UNIQUE INDEX ON bw (n)",
    f"""INSERT INTO widgets (id, hub_id, name, widget_type, view_context)
        SELECT bw.id, h.id, 'Widget ' || lpad(bw.n::text, 5, '0'), ({TYPES})[1 + bw.n % 8],
               '/page/' || bw.n % 40
        FROM bw JOIN hubs h ON h.slug = 'hub-' || bw.hubn""",
    # Version 1 of every widget, as Widget.save() records it.
    """INSERT INTO widget_versions (widget_id, version, schema_snapshot)
       SELECT id, 1, jsonb_build_object('name', name, 'widget_type', widget_type, 'capability_ref', NULL,
                                        'view_context', view_context, 'policy_scope', policy_scope,
                                        'status', status)
       FROM widgets""",
    # Users: the bench's steward and admin are made by Django (hashed passwords); two reviewers per hub here.
    """INSERT INTO users (id, email, password_hash, name, is_superuser, is_active, is_staff)
       SELECT gen_random_uuid(), 'reviewer-' || n || '@bench.test', '!', 'Reviewer ' || n, false, true, false
       FROM generate_series(0, 199) n""",
    """INSERT INTO hub_memberships (hub_id, user_id, role)
       SELECT h.id, u.id, 'reviewer' FROM users u
       JOIN hubs h ON h.slug = 'hub-' || (split_part(split_part(u.email, '@', 1), '-', 2)::int % 100)
       WHERE u.email LIKE 'reviewer-%'""",
]

# Time-ordered events: event n happens at a fixed step through the 90 days, so the rows arrive in id order
# (uuid7 layout: 48 bits of milliseconds, version 7, then n) as ingestion writes them. Widget 0 gets every
# BUSY_EVERY-th event; the rest go to widgets 1–9,999 skewed towards the low numbers (hub-0's).
EVENTS_SQL = """
INSERT INTO interaction_events (id, widget_id, event_type, actor_type, metadata, occurred_at)
SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '70008'
        || lpad(to_hex(g.n), 15, '0'))::uuid,
       bw.id, CASE WHEN random() < 0.07 THEN 'error' ELSE 'clicked' END, 'user', '{}', t
FROM (
    SELECT n, now() - interval '90 days' + n * (interval '90 days' / %(total)s) AS t,
           CASE WHEN n %% %(busy)s = 0 THEN 0 ELSE 1 + floor(9999 * random() ^ 2)::int END AS wn
    FROM generate_series(%(start)s, %(stop)s) n
) g JOIN bw ON bw.n = g.wn
"""

AFTER_EVENTS = [
    # A thousand corrections, a tenth of them on widget 0: the rollup and every count leave them out.
    """INSERT INTO interaction_events (id, widget_id, event_type, actor_type, metadata, occurred_at)
       SELECT gen_random_uuid(), e.widget_id, 'retracted', 'user',
              jsonb_build_object('retracted_event_id', e.id::text), e.occurred_at + interval '1 minute'
       FROM (SELECT id, widget_id, occurred_at FROM interaction_events TABLESAMPLE SYSTEM (0.05)
             LIMIT 1000) e""",
    "SELECT compact_widget_daily_event_counts()",
    # Annotations: 500 on widget 0 (the deployment page's widget), the rest skewed like the events.
    f"""INSERT INTO annotations (id, widget_id, body, category, severity, actor_type, created_at,
                                 retracted_at, retraction_reason)
        SELECT gen_random_uuid(), bw.id,
               'The ' || w[1 + floor(random() * 18)::int] || ' ' || w[1 + floor(random() * 18)::int] || ' '
               || w[1 + floor(random() * 18)::int] || ' problem number ' || g.n,
               'friction',
               (ARRAY['low','medium','medium','high','critical'])[1 + floor(random() * 5)::int], 'user',
               now() - random() * interval '90 days',
               CASE WHEN gone THEN now() END, CASE WHEN gone THEN 'reported twice' END
        FROM (SELECT n, CASE WHEN n < 500 THEN 0 ELSE 1 + floor(9999 * random() ^ 2)::int END AS wn,
                     {WORDS} AS w, random() < 0.02 AS gone
              FROM generate_series(0, {ANNOTATIONS - 1}) n) g
        JOIN bw ON bw.n = g.wn""",
    # Candidates from annotations: 6,000 in hub-0 (5,000 of them open), 14,000 in the other hubs. The first,
    # on widget 0, is accepted and reaches the deployment of 45 days ago that the deployment page shows.
    """CREATE TEMP TABLE bc AS
       WITH ranked AS (
           SELECT a.id AS annotation_id, a.widget_id, a.body, a.created_at, bw.hubn, bw.n AS wn,
                  row_number() OVER (PARTITION BY bw.hubn = 0 ORDER BY a.id = first.id DESC, a.id) AS r
           FROM annotations a JOIN bw ON bw.id = a.widget_id
           CROSS JOIN (SELECT a0.id FROM annotations a0 JOIN bw b0 ON b0.id = a0.widget_id
                       WHERE b0.n = 0 AND a0.retracted_at IS NULL ORDER BY a0.id LIMIT 1) first
           WHERE a.retracted_at IS NULL
       )
       SELECT gen_random_uuid() AS id, annotation_id, widget_id, body, created_at, hubn, wn,
              CASE WHEN hubn = 0 THEN
                  CASE WHEN r <= 500 THEN 'accepted' WHEN r <= 5500 THEN 'open'
                       WHEN r <= 5800 THEN 'under_review'
                       WHEN r <= 5900 THEN 'rejected' WHEN r <= 5950 THEN 'deferred' ELSE 'rejected' END
              ELSE
                  (ARRAY['open','open','open','open','under_review','under_review','accepted','accepted',
                         'accepted','accepted','accepted','rejected','rejected','deferred','rejected'])
                  [1 + r %% 15]
              END AS status
       FROM ranked WHERE (hubn = 0 AND r <= 6000) OR (hubn <> 0 AND r <= 14000)""",
    """INSERT INTO requirement_candidates (id, title, description, category, status, created_at,
                                           source_annotation_id, source_widget_id)
       SELECT id, left(body, 60), body, 'friction', status, created_at + interval '1 hour', annotation_id,
              widget_id
       FROM bc""",
    # Every candidate that left `open` has its transition in the history; 8,000 have a reviewer.
    """INSERT INTO triage_states (id, candidate_id, status, kind, changed_at)
       SELECT gen_random_uuid(), id, status, 'transition', created_at + interval '2 hours'
       FROM bc WHERE status <> 'open'""",
    """WITH picked AS (
           SELECT bc.id, bc.created_at, (
               SELECT m.user_id FROM hub_memberships m JOIN hubs h ON h.id = m.hub_id
               WHERE h.slug = 'hub-' || bc.hubn AND m.role = 'reviewer' LIMIT 1
           ) AS user_id
           FROM bc WHERE bc.status IN ('open', 'under_review') ORDER BY bc.id LIMIT 8000
       ), assigned AS (
           INSERT INTO reviewer_assignments (id, candidate_id, user_id, assigned_at)
           SELECT gen_random_uuid(), id, user_id, created_at + interval '3 hours' FROM picked
       )
       INSERT INTO triage_states (id, candidate_id, status, kind, assigned_to_id, changed_at)
       SELECT gen_random_uuid(), picked.id, bc.status, 'assignment', user_id, picked.created_at
              + interval '3 hours'
       FROM picked JOIN bc ON bc.id = picked.id""",
    # 4,000 accepted candidates became requirements; 5,000 decisions (4,000 on those, 1,000 on candidates).
    """CREATE TEMP TABLE br AS
       SELECT gen_random_uuid() AS id, bc.id AS candidate_id, bc.created_at, bc.hubn, bc.wn,
              row_number() OVER (ORDER BY bc.wn = 0 DESC, bc.id) AS r
       FROM bc WHERE bc.status = 'accepted'""",
    """INSERT INTO requirements (id, title, description, source_candidate_id, created_at)
       SELECT id, 'Requirement ' || r, 'd', candidate_id, created_at + interval '1 day'
       FROM br WHERE r <= 4000""",
    """UPDATE requirement_candidates c SET requirement_id = br.id FROM br
       WHERE br.candidate_id = c.id AND br.r <= 4000""",
    """CREATE TEMP TABLE bd AS
       SELECT gen_random_uuid() AS id, br.id AS requirement_id, br.candidate_id, br.r, br.hubn, br.wn,
              CASE WHEN br.r %% 5 = 4 THEN 'rejected' ELSE 'approved' END AS outcome,
              CASE WHEN br.wn = 0 THEN now() - interval '45 days'
                   ELSE now() - interval '88 days' + random() * interval '50 days' END AS decided_at
       FROM br WHERE br.r <= 5000""",
    """INSERT INTO decision_records (id, title, rationale, outcome, requirement_id, candidate_id, hub_id,
                                     decided_at)
       SELECT bd.id, 'Decision ' || bd.r, 'r', bd.outcome,
              CASE WHEN bd.r <= 4000 THEN bd.requirement_id END,
              CASE WHEN bd.r > 4000 THEN bd.candidate_id END, h.id, bd.decided_at
       FROM bd JOIN hubs h ON h.slug = 'hub-' || bd.hubn""",
    # 3,000 deployments of approved decisions, the first (widget 0's) 45 days ago; 95 % of them succeeded.
    """CREATE TEMP TABLE bdep AS
       SELECT gen_random_uuid() AS id, bd.id AS decision_id, bd.wn, bd.decided_at + interval '1 hour'
              AS deployed_at, row_number() OVER (ORDER BY bd.wn = 0 DESC, bd.id) AS r
       FROM bd WHERE bd.outcome = 'approved'""",
    "DELETE FROM bdep WHERE r > 3000",
    """INSERT INTO deployment_records (id, decision_id, version_ref, deployed_at)
       SELECT id, decision_id, 'v' || r, deployed_at FROM bdep""",
    """INSERT INTO remediation_events (deployment_id, remediation_type, status, created_at)
       SELECT id, 'gitops_pr', CASE WHEN r %% 20 = 7 THEN 'failed' ELSE 'success' END, deployed_at
       FROM bdep""",
    # 20,000 signals, about 7 per deployment, on the deployment's widget. Lineage enrichment's row trigger
    # took 17 ms a signal here (340 s in all), so the rows go in without triggers (session_replication_role)
    # and its batch function computes the summaries after.
    "SET session_replication_role = replica",
    """INSERT INTO outcome_signals (id, deployment_id, widget_id, signal_type, value, observed_at)
       SELECT gen_random_uuid(), bdep.id, bw.id,
              (ARRAY['improved','improved','regressed','neutral','inconclusive'])[1 + g.n %% 5], g.n %% 100,
              bdep.deployed_at + (1 + g.n %% 20) * interval '1 day'
       FROM generate_series(0, 19999) AS g(n)
       JOIN bdep ON bdep.r = 1 + g.n %% 3000
       JOIN bw ON bw.n = bdep.wn""",
    "SET session_replication_role = origin",
    "SELECT enrich_lineage_on_outcome_batch()",
]

# What ingestion leaves between two folds: one unfolded rollup row per inserting statement. 5,000 single
# events, as ~5 s of single-event requests at the measured rate (docs/scaling.md) leave; pages that add the
# unfolded rows (the hub list) are measured with them.
UNFOLDED_SQL = """
DO $$
DECLARE
    ids uuid[];
BEGIN
    SELECT array_agg(id) INTO ids FROM widgets;
    FOR n IN 1..5000 LOOP
        INSERT INTO interaction_events (id, widget_id, event_type, occurred_at)
        VALUES (gen_random_uuid(), ids[1 + (n * 2) %% array_length(ids, 1)], 'clicked', now());
    END LOOP;
END $$
"""

REGRESSIONS_SQL = """
INSERT INTO regressions (id, hub_id, widget_id, signal_id, annotation_id, deployment_id, detected_at)
SELECT gen_random_uuid(), w.hub_id, s.widget_id, s.id, a.id, s.deployment_id, a.created_at
FROM outcome_signals s
JOIN widgets w ON w.id = s.widget_id
JOIN annotations a ON a.widget_id = s.widget_id
WHERE s.signal_type = 'improved' AND a.severity IN ('high', 'critical') AND a.retracted_at IS NULL
  AND a.created_at > s.observed_at AND a.created_at <= s.observed_at + interval '14 days'
ORDER BY a.created_at DESC
LIMIT 2000
ON CONFLICT (signal_id, annotation_id) DO NOTHING
"""


def _step(conn, label, sql, params=None):
    started = time.perf_counter()
    rows = conn.execute(sql, params).rowcount
    conn.commit()
    print(f"  {label}: {rows:,} rows, {time.perf_counter() - started:.1f} s", flush=True)


def load(url: str) -> None:
    """Fill the migrated database at `url` with the large installation."""
    with psycopg.connect(url) as conn:
        conn.execute("SET jit = off")
        for sql in SETUP:
            _step(conn, " ".join(sql.split()[:3]).lower(), sql)
        for start in range(0, EVENTS, CHUNK):
            params = {"total": EVENTS, "busy": BUSY_EVERY, "start": start, "stop": start + CHUNK - 1}
            _step(conn, f"events {start + CHUNK:,} / {EVENTS:,}", EVENTS_SQL, params)
        for sql in AFTER_EVENTS:
            _step(conn, " ".join(sql.split()[:3]).lower(), sql.replace("%%", "%"))
        _step(conn, "regressions", REGRESSIONS_SQL)
        _step(conn, "5,000 single events, not folded", UNFOLDED_SQL.replace("%%", "%"))
    with psycopg.connect(url, autocommit=True) as conn:
        _step(conn, "vacuum analyze", "VACUUM ANALYZE")


if __name__ == "__main__":
    print("Part of bin/ihf bench pages: run that.", file=sys.stderr)
    sys.exit(2)
