"""Observability benchmark: the phase 7 recomputes and pages at scale.

    bin/ihf bench observability      (or: python bench/observability.py with DATABASE_URL set)

Loads 1,000,000 interaction events, 10,000 widgets in 100 hubs and 50,000 annotations (plus candidates,
requirements, decisions, deployments and signals for the bottleneck stages) into a scratch database
(ihf_bench, dropped at the end), then times each recompute (goal: < 1 s each) and the server time of the
review board and a hub's heatmap (goal: p95 < 100 ms).
"""

import os
import random
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ihf.ids import uuid7  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
WIDGETS, HUBS, ANNOTATIONS = 10_000, 100, 50_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
TYPES = ["button", "form", "search-box", "data-table", "chart", "navigation", "modal", "date-picker"]
SEVERITIES = ["low", "medium", "medium", "high", "critical"]
WORDS = [
    "coupon",
    "checkout",
    "lowercase",
    "discount",
    "total",
    "slow",
    "scroll",
    "filter",
    "export",
    "invoice",
    "keyboard",
    "reader",
    "contrast",
    "upload",
    "preview",
    "timezone",
    "pagination",
    "tooltip",
]


def _admin(base, sql):
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def load(url):
    rng = random.Random(7)
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn:
        hubs = [uuid.uuid4() for _ in range(HUBS)]
        with conn.cursor().copy(
            "COPY hubs (id, slug, name, domain, allowed_origins, webhook_url) FROM STDIN"
        ) as copy:
            for n, hub in enumerate(hubs):
                copy.write_row((hub, f"hub-{n}", f"Hub {n}", "bench.local", "[]", ""))
        widgets = [(uuid.uuid4(), hubs[n % HUBS], TYPES[n % len(TYPES)]) for n in range(WIDGETS)]
        with conn.cursor().copy("COPY widgets (id, hub_id, name, widget_type) FROM STDIN") as copy:
            for n, (wid, hub, wtype) in enumerate(widgets):
                copy.write_row((wid, hub, f"Widget {n}", wtype))
        print(f"  {HUBS} hubs, {WIDGETS:,} widgets", flush=True)
        weights = [1 / (i + 1) ** 0.7 for i in range(WIDGETS)]
        chosen = rng.choices(range(WIDGETS), weights=weights, k=EVENTS)
        with conn.cursor().copy(
            "COPY interaction_events (id, widget_id, event_type, actor_type, metadata, occurred_at) "
            "FROM STDIN"
        ) as copy:
            for n, index in enumerate(chosen):
                moment = now - timedelta(seconds=rng.randrange(90 * 86400))
                kind = "error" if rng.random() < 0.07 else "clicked"
                copy.write_row(
                    (
                        uuid7(int(moment.timestamp() * 1000), rng.randbytes(10)),
                        widgets[index][0],
                        kind,
                        "user",
                        "{}",
                        moment,
                    )
                )
                if n and n % 250_000 == 0:
                    print(f"  events {n:,} / {EVENTS:,}", flush=True)
        print(f"  events {EVENTS:,} / {EVENTS:,}", flush=True)
        with conn.cursor().copy(
            "COPY annotations (id, widget_id, body, category, severity, actor_type, created_at) FROM STDIN"
        ) as copy:
            for _ in range(ANNOTATIONS):
                index = rng.choices(range(WIDGETS), weights=weights)[0]
                body = "The " + " ".join(rng.sample(WORDS, 4)) + f" problem number {rng.randrange(10_000)}"
                copy.write_row(
                    (
                        uuid.uuid4(),
                        widgets[index][0],
                        body,
                        "friction",
                        rng.choice(SEVERITIES),
                        "user",
                        now - timedelta(seconds=rng.randrange(90 * 86400)),
                    )
                )
        print(f"  {ANNOTATIONS:,} annotations", flush=True)
        candidates = []
        with conn.cursor().copy(
            "COPY requirement_candidates (id, title, description, source_widget_id, status, created_at) "
            "FROM STDIN"
        ) as copy:
            for n in range(5_000):
                cid = uuid.uuid4()
                status = rng.choice(["open", "open", "under_review", "accepted", "rejected"])
                candidates.append((cid, status, widgets[n * 2][1]))
                copy.write_row(
                    (
                        cid,
                        f"Candidate {n}",
                        "d",
                        widgets[n * 2][0],
                        status,
                        now - timedelta(days=rng.randrange(120)),
                    )
                )
        requirements, decisions, deployments = [], [], []
        for cid, status, hub in candidates:
            if status == "accepted":
                requirements.append((uuid.uuid4(), cid, hub))
        with conn.cursor().copy(
            "COPY requirements (id, title, description, source_candidate_id, created_at) FROM STDIN"
        ) as copy:
            for rid, cid, _hub in requirements:
                copy.write_row((rid, "Requirement", "d", cid, now - timedelta(days=rng.randrange(120))))
        with conn.cursor().copy(
            "COPY decision_records (id, title, rationale, outcome, requirement_id, hub_id, "
            "decided_at) FROM STDIN"
        ) as copy:
            for rid, _cid, hub in requirements[: len(requirements) // 2]:
                did = uuid.uuid4()
                decisions.append(did)
                copy.write_row(
                    (did, "Decision", "r", "approved", rid, hub, now - timedelta(days=rng.randrange(90)))
                )
        with conn.cursor().copy(
            "COPY deployment_records (id, decision_id, version_ref, deployed_at) FROM STDIN"
        ) as copy:
            for did in decisions[: len(decisions) // 2]:
                dep = uuid.uuid4()
                deployments.append(dep)
                copy.write_row((dep, did, "v1", now - timedelta(days=rng.randrange(60))))
        conn.commit()
        print(
            f"  {len(candidates):,} candidates, {len(requirements):,} requirements, {len(decisions):,} "
            f"decisions, {len(deployments):,} deployments",
            flush=True,
        )
        conn.execute("ANALYZE")
        conn.commit()
    return hubs


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench observability does).", file=sys.stderr)
        return 2
    url = urlunsplit(urlsplit(base)._replace(path="/ihf_bench"))
    _admin(base, "DROP DATABASE IF EXISTS ihf_bench WITH (FORCE)")
    _admin(base, "CREATE DATABASE ihf_bench")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: production settings would redirect to HTTPS
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    try:
        print("migrating ihf_bench …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        print("loading …", flush=True)
        started = time.perf_counter()
        load(url)
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiring.settings")
        import django

        # WhiteNoise warns that no static files were collected; the benchmark serves none.
        warnings.filterwarnings("ignore", message="No directory at")
        django.setup()
        from django.test import Client

        from hubs.models import Hub, HubMembership
        from ihf.models import User
        from observability import compute

        print("recomputes (goal: each < 1 s):", flush=True)
        for step in (
            compute.recompute_friction,
            compute.detect_bottlenecks,
            compute.snapshot_health,
            compute.detect_propagations,
        ):
            run = step()
            print(f"  {run}{'' if run.seconds < 1 else '  — OVER 1 s'}", flush=True)
        steward = User.objects.create_user("bench-steward@example.test", "bench-password-1", name="Bench")
        HubMembership.objects.bulk_create(
            [HubMembership(hub=hub, user=steward, role="steward") for hub in Hub.objects.all()]
        )
        client = Client()
        client.force_login(steward)
        from django.conf import settings
        from django.test.utils import override_settings

        # Production settings without collected static files: serve their plain names.
        storage = override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        )
        storage.enable()
        busiest = Hub.objects.get(slug="hub-0")
        print(f"page server time over {REQUESTS} requests each (goal: p95 < 100 ms):", flush=True)
        for label, path in [
            ("review board (100 hubs)", "/review/"),
            (f"heatmap ({busiest.widgets.count()} widgets)", f"/hubs/{busiest.slug}/friction/"),
        ]:
            client.get(path)
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"  {label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
                f"{'' if p95 < 100 else '  — OVER 100 ms'}",
                flush=True,
            )
        from django.db import connections

        connections.close_all()
        return 0
    finally:
        if not os.environ.get("BENCH_KEEP"):
            _admin(base, "DROP DATABASE IF EXISTS ihf_bench WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
