"""Learning benchmark: the phase 12 recomputes, knowledge search, the learning dashboard and API v2 at scale.

    bin/ihf bench learning      (or: python bench/learning.py with DATABASE_URL set)

Loads bench/observability.py's data (1,000,000 interaction events, 10,000 widgets in 100 hubs) with 100,000
annotations, then 10,000 accepted candidates, each with a decision of one of 20 patterns, a deployment, 1–5
outcome signals (one INSERT, through trg_enrich_lineage's batch path), an evaluation for half of them and a
knowledge base entry for every decision, into a scratch database (ihf_bench_learning, dropped at the end).
Goals: each recompute < 1 s; knowledge search p95 < 50 ms over 10,000 entries; the learning dashboard
p95 < 100 ms with the same number of queries for a small and a large hub; API v2 p95 < 50 ms.
BENCH_REQUESTS (60) requests per page, BENCH_SEARCHES (200) searches. The machine's other load shows in the
figures.
"""

import importlib.util
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "200"))
DECISIONS = 10_000
WORDS = [
    "checkout",
    "coupon",
    "keyboard",
    "contrast",
    "label",
    "validation",
    "timeout",
    "retry",
    "upload",
    "search",
    "filter",
    "sort",
    "export",
    "date",
    "scroll",
    "focus",
    "error",
    "slow",
    "total",
    "address",
]
SIGNAL = "(ARRAY['improved','improved','neutral','regressed','inconclusive'])[1 + floor(random() * 5)::int]"


def _observability_bench():
    """bench/observability.py as a module (its name would shadow the observability app)."""
    spec = importlib.util.spec_from_file_location("bench_observability", ROOT / "bench" / "observability.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ANNOTATIONS = 100_000
    return module


def load_learning(url):
    import psycopg

    rng = random.Random(12)
    with psycopg.connect(url) as conn:
        # Half of the decisions in hub-0 (whose knowledge base is then searched), the rest anywhere.
        conn.execute(
            "CREATE TEMP TABLE picks AS "
            "WITH h0 AS (SELECT array_agg(w.id) AS a FROM widgets w JOIN hubs h ON h.id = w.hub_id "
            "            WHERE h.slug = 'hub-0'), "
            "     everywhere AS (SELECT array_agg(id ORDER BY random()) AS a FROM widgets) "
            "SELECT p.n, w.id AS widget_id, w.hub_id, "
            "(SELECT a.id FROM annotations a WHERE a.widget_id = w.id LIMIT 1) AS annotation_id "
            "FROM (SELECT n, CASE WHEN n %% 2 = 0 THEN h0.a[1 + n %% cardinality(h0.a)] "
            "                     ELSE everywhere.a[1 + n %% cardinality(everywhere.a)] END AS widget_id "
            "      FROM generate_series(1, %s) n, h0, everywhere) p "
            "JOIN widgets w ON w.id = p.widget_id",
            [DECISIONS],
        )
        conn.execute(
            "INSERT INTO requirement_candidates (id, title, description, source_widget_id, "
            "source_annotation_id, category, status, created_at) "
            "SELECT gen_random_uuid(), 'Candidate ' || n, 'People report ' || "
            "(%s::text[])[1 + n %% 20] || ' and ' || (%s::text[])[1 + (n * 7) %% 20] || ' trouble', "
            "widget_id, "
            "annotation_id, (ARRAY['friction','bug','confusion','accessibility'])[1 + n %% 4], 'accepted', "
            "now() - interval '1 day' * (30 + random() * 150) FROM picks",
            [WORDS, WORDS],
        )
        conn.execute(
            "INSERT INTO decision_records (id, title, rationale, outcome, candidate_id, hub_id, pattern, "
            "decided_at) "
            "SELECT gen_random_uuid(), 'Fix: ' || c.title || ' ' || c.description, "
            "'Because ' || c.description, "
            "'approved', c.id, w.hub_id, 'pattern-' || (abs(hashtext(c.id::text)) % 20), "
            "c.created_at + interval '1 day' * random() * 10 "
            "FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id "
            "WHERE c.status = 'accepted' AND c.description LIKE 'People report %'"
        )
        conn.execute(
            "INSERT INTO deployment_records (id, decision_id, version_ref, deployed_at) "
            "SELECT gen_random_uuid(), d.id, 'v1', "
            "least(now(), d.decided_at + interval '1 day' * random() * 20) "
            "FROM decision_records d WHERE d.pattern IS NOT NULL"
        )
        conn.execute(
            "INSERT INTO remediation_events (deployment_id, status, remediation_type, dry_run, created_at, "
            "metadata) SELECT id, 'success', 'imperative', false, deployed_at, '{}' FROM deployment_records"
        )
        started = time.perf_counter()
        conn.execute(
            "INSERT INTO outcome_signals (id, deployment_id, widget_id, signal_type, observed_at) "
            f"SELECT gen_random_uuid(), dep.id, c.source_widget_id, {SIGNAL}, "
            "least(now(), dep.deployed_at + interval '1 hour' * (1 + random() * 400)) "
            "FROM deployment_records dep JOIN decision_records d ON d.id = dep.decision_id "
            "JOIN requirement_candidates c ON c.id = d.candidate_id "
            "CROSS JOIN LATERAL generate_series(1, 1 + (abs(hashtext(dep.id::text)) % 5)) AS g"
        )
        signals = conn.execute("SELECT count(*) FROM outcome_signals").fetchone()[0]
        print(
            f"  {signals:,} signals in one statement through the trigger: "
            f"{time.perf_counter() - started:.1f} s"
        )
        conn.execute(
            "INSERT INTO change_evaluations (id, deployment_id, decision_id, score, rationale, evaluated_at) "
            "SELECT gen_random_uuid(), dep.id, dep.decision_id, 1 + floor(random() * 5)::int, 'judged', "
            "dep.deployed_at + interval '7 days' FROM deployment_records dep WHERE random() < 0.5"
        )
        conn.execute(
            "INSERT INTO institutional_knowledge_entries (id, hub_id, decision_id, title, problem, "
            "decision_text, rationale, outcome, evaluation, links, widget_type, pattern, created_at) "
            "SELECT gen_random_uuid(), d.hub_id, d.id, d.title, c.title || E'\\n\\n' || c.description, "
            "'Approved: ' || d.title, d.rationale, "
            "CASE WHEN (d.outcome_summary->'counts'->>'regressed')::int > 0 "
            "THEN 'regressed' ELSE 'improved' END, "
            "'', '[]', w.widget_type, d.pattern, now() "
            "FROM decision_records d JOIN requirement_candidates c ON c.id = d.candidate_id "
            "JOIN widgets w ON w.id = c.source_widget_id WHERE d.pattern IS NOT NULL"
        )
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    return rng


def _timed(label, calls, goal_ms):
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    verdict = "" if p95 < goal_ms else f"  — OVER {goal_ms} ms"
    print(f"  {label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms{verdict}", flush=True)


def measure(rng):
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from hubs.models import Hub, HubMembership
    from hubs.services import api_key_create
    from ihf.models import User
    from learning import compute, selectors

    print("recomputes (goal: each < 1 s):", flush=True)
    for step in compute.STEPS.values():
        run = step()
        print(f"  {run}{'' if run.seconds < 1 else '  — OVER 1 s'}", flush=True)
    print(f"  (not one of the four: {compute.enrich_lineage()}, the nightly recompute of every summary)")
    hubs = list(Hub.objects.order_by("slug"))
    entries = {h.pk: h.knowledge_entries.count() for h in hubs}
    big = max(hubs, key=lambda h: entries[h.pk])
    print(
        f"knowledge search, {SEARCHES} searches (goal: p95 < 50 ms; {sum(entries.values()):,} entries, "
        f"{entries[big.pk]} in the searched hub):",
        flush=True,
    )
    queries = [" ".join(rng.sample(WORDS, rng.choice([1, 2]))) for _ in range(SEARCHES)]
    _timed(
        "one or two words",
        [
            lambda query=query: selectors.knowledge_search(
                big.pk, selectors.KnowledgeFilters(q=query), offset=0, limit=20
            )
            for query in queries
        ],
        50,
    )
    steward = User.objects.create_user("bench-learning@example.test", "bench-password-1", name="Bench")
    HubMembership.objects.bulk_create([HubMembership(hub=h, user=steward, role="steward") for h in hubs])
    client = Client()
    client.force_login(steward)
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    small = Hub.objects.create(slug="bench-empty", name="Empty", domain="bench.local")
    HubMembership.objects.create(hub=small, user=steward, role="steward")
    counts = {}
    for hub in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/hubs/{hub.slug}/learning/").status_code == 200
        counts[hub.slug] = len(queries)
    same = len(set(counts.values())) == 1
    print(
        f"learning dashboard (goal: p95 < 100 ms; queries {counts}: "
        f"{'constant' if same else 'NOT constant'}):"
    )
    _timed(f"{big.slug}", [lambda: client.get(f"/hubs/{big.slug}/learning/") for _ in range(REQUESTS)], 100)
    _key, raw = api_key_create(hub=big, scope="read")
    headers = {"Authorization": f"Bearer {raw}"}
    print(f"API v2, {REQUESTS} requests each (goal: p95 < 50 ms):", flush=True)
    for path in [
        "/api/v2/outcome-correlations",
        "/api/v2/pattern-performance",
        "/api/v2/knowledge-base?q=keyboard+focus",
        "/api/v2/knowledge-base?pattern=pattern-3&sort=-created_at",
        "/api/v2/trends?metric=success_rate&interval=week",
    ]:
        assert client.get(path, headers=headers).status_code == 200
        _timed(path, [lambda p=path: client.get(p, headers=headers) for _ in range(REQUESTS)], 50)
    return 0 if same else 1


def main() -> int:
    bench = _observability_bench()
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench learning does).", file=sys.stderr)
        return 2
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(base)._replace(path="/ihf_bench_learning"))
    bench._admin(base, "DROP DATABASE IF EXISTS ihf_bench_learning WITH (FORCE)")
    bench._admin(base, "CREATE DATABASE ihf_bench_learning")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    try:
        import subprocess

        print("migrating ihf_bench_learning …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        started = time.perf_counter()
        print("loading …", flush=True)
        bench.load(url)
        rng = load_learning(url)
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiring.settings")
        import warnings

        import django

        warnings.filterwarnings("ignore", message="No directory at")
        django.setup()
        result = measure(rng)
        from django.db import connections

        connections.close_all()
        return result
    finally:
        if not os.environ.get("BENCH_KEEP"):
            bench._admin(base, "DROP DATABASE IF EXISTS ihf_bench_learning WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
