"""Pages benchmark (issue 21): every page and htmx fragment at a large installation.

    bin/ihf bench pages      (or: python bench/pages.py with DATABASE_URL set)

Builds the installation of bench/pages_data.py (3M events, 10k widgets, 20k candidates, …) in a scratch
database (ihf_bench_pages, dropped at the end unless BENCH_KEEP is set; BENCH_REUSE=1 reuses a kept one),
then requests each page as a steward of all 100 hubs (the admin pages as a superuser) with the production
settings, in process, and prints per page: the p50 and p95 server time over BENCH_REQUESTS requests, the
query count and the size of the HTML. Goals: p95 < 200 ms everywhere, < 100 ms for the hub list, board,
dashboard and review board; HTML under ~200 KB; query counts that do not grow with the data.
"""

import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after ROOT: bench/observability.py must not hide the app

import pages_data  # noqa: E402

DB = "ihf_bench_pages"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
FAST = 100  # ms: the goal of the pages people keep open
GOAL = 200  # ms: every other page and fragment
MAX_HTML = 200_000


def _admin(base, sql):
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _exists(base) -> bool:
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone() is not None


def _pages(ids):
    """(label, method, path, data, htmx, goal): every page a steward opens, and its fragments."""
    hub = "/hubs/hub-0"
    dep, widget, candidate = ids["deployment"], ids["widget"], ids["candidate"]
    get = [
        ("hub list", "/", False, FAST),
        ("hub-0 widgets", f"{hub}/", False, GOAL),
        ("hub-0 widgets, htmx page 3", f"{hub}/?page=3", True, GOAL),
        ("busy widget (300k events)", f"{hub}/widgets/{widget}/", False, GOAL),
        ("busy widget, htmx events page 50", f"{hub}/widgets/{widget}/?events_page=50", True, GOAL),
        ("busy widget, htmx annotations p2", f"{hub}/widgets/{widget}/?annotations_page=2", True, GOAL),
        ("board", f"{hub}/board/", False, FAST),
        ("board, htmx", f"{hub}/board/", True, FAST),
        ("board, search + severity", f"{hub}/board/?q=checkout&severity=high", False, FAST),
        ("board, list view", f"{hub}/board/?view=list", False, FAST),
        ("board, list view page 40", f"{hub}/board/?view=list&page=40", True, FAST),
        ("board, unassigned by severity", f"{hub}/board/?assignee=none&sort=severity", True, FAST),
        ("board, htmx show more (open, after 35)", f"{hub}/board/?more=open&shown=35", True, FAST),
        ("board, widget name suggestions", f"{hub}/board/widget-names/?widget_name=0012", True, FAST),
        ("duplicate search fragment", f"{hub}/candidates/search/?q=coupon", True, GOAL),
        ("candidate", f"{hub}/candidates/{candidate}/", False, GOAL),
        ("heatmap (1,000 widgets)", f"{hub}/friction/", False, GOAL),
        ("bottlenecks", f"{hub}/bottlenecks/", False, GOAL),
        ("health", f"{hub}/health/", False, GOAL),
        ("deployment ±30 days, busy widget", f"{dep}?window=30", False, GOAL),
        ("deployment ±90 days, busy widget", f"{dep}?window=90", False, GOAL),
        ("deployment trace", f"{dep}trace/", False, GOAL),
        ("widget trace", f"{hub}/widgets/{widget}/trace/", False, GOAL),
        ("regressions", f"{hub}/regressions/", False, GOAL),
        ("dashboard", f"{hub}/dashboard/", False, FAST),
        *[
            (f"dashboard panel {p}", f"{hub}/dashboard/{p}/", True, FAST)
            for p in ("deployments", "regressions", "recurrence", "scores", "waiting")
        ],
        ("review board (100 hubs)", "/review/", False, FAST),
        *[
            (f"review panel {p}", f"/review/{p}/", True, FAST)
            for p in ("health", "friction", "bottlenecks", "propagations")
        ],
        ("propagations", "/propagations/", False, GOAL),
        ("hub settings", f"{hub}/settings/", False, GOAL),
        ("decision", f"{hub}/decisions/{ids['decision']}/", False, GOAL),
    ]
    return [(label, "get", path, None, htmx, goal) for label, path, htmx, goal in get]


def _admin_pages():
    from django.contrib import admin

    pages = [("admin index", "/admin/", 200)]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(
            (f"admin {meta.app_label}.{meta.model_name}", f"/admin/{meta.app_label}/{meta.model_name}/")
        )
    pages += [
        ("admin events, filtered by type", "/admin/hubs/interactionevent/?event_type=error"),
        ("admin events, search by widget name", "/admin/hubs/interactionevent/?q=Widget+00000"),
        ("admin annotations, page 50", "/admin/feedback/annotation/?p=50"),
    ]
    return [(label, "get", path, None, False, GOAL) for label, path, *_ in pages]


def _measure(client, label, method, path, data, htmx, goal, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    call = getattr(client, method)
    try:
        with CaptureQueriesContext(connection) as queries:
            response = call(path, data, **headers) if data is not None else call(path, **headers)
    except Exception as error:  # one broken page must not hide the figures of the others
        results.append((label, 0, 0, 0, 0, [f"failed: {error!r}"]))
        print(f"  {label:<42} FAILED: {error!r}", flush=True)
        return
    if response.status_code != 200:
        results.append((label, 0, 0, 0, 0, [f"status {response.status_code}"]))
        print(f"  {label:<42} status {response.status_code}", flush=True)
        return
    first = len(queries)
    size = len(response.content)
    requests = REQUESTS if first < 60 else max(5, REQUESTS // 4)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call(path, data, **headers) if data is not None else call(path, **headers)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    over = []
    if p95 >= goal:
        over.append(f"p95 over {goal} ms")
    if size > MAX_HTML:
        over.append("HTML over 200 KB")
    results.append((label, statistics.median(times), p95, first, size, over))
    print(
        f"  {label:<42} p50 {statistics.median(times):7.1f}  p95 {p95:7.1f} ms  {first:3d} queries  "
        f"{size / 1000:7.1f} KB{'  — ' + ', '.join(over) if over else ''}",
        flush=True,
    )


def _move(client, ids, results):
    """The htmx triage move on the board, as a cycle (open → under review → deferred → open)."""
    from feedback.models import RequirementCandidate

    path = f"/hubs/hub-0/candidates/{ids['move']}/transition/"
    steps = [("open", "under_review"), ("under_review", "deferred"), ("deferred", "open")]
    times, first, size = [], None, 0
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(max(6, REQUESTS)):
        current, target = steps[n % 3]
        data = {"target": target, "expected_status": current, "notes": "", "board_query": ""}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(path, data, HTTP_HX_REQUEST="true")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:500])
        if first is None:
            first, size = len(queries), len(response.content)
    assert RequirementCandidate.objects.get(pk=ids["move"]).status in ("open", "under_review", "deferred")
    times.sort()
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    over = [f"p95 over {GOAL} ms"] if p95 >= GOAL else []
    if size > MAX_HTML:
        over.append("HTML over 200 KB")
    results.append(("htmx triage move", statistics.median(times), p95, first, size, over))
    print(
        f"  {'htmx triage move':<42} p50 {statistics.median(times):7.1f}  p95 {p95:7.1f} ms  "
        f"{first:3d} queries  "
        f"{size / 1000:7.1f} KB{'  — ' + ', '.join(over) if over else ''}",
        flush=True,
    )


def _ids():
    from feedback.models import RequirementCandidate
    from hubs.models import Widget
    from outcomes.models import DeploymentRecord

    widget = Widget.objects.get(hub__slug="hub-0", name="Widget 00000")
    deployment = DeploymentRecord.objects.filter(decision__hub__slug="hub-0", version_ref="v1").get()
    candidates = RequirementCandidate.objects.filter(source_widget__hub__slug="hub-0", status="open")
    return {
        "widget": widget.pk,
        "deployment": f"/hubs/hub-0/deployments/{deployment.pk}/",
        "decision": deployment.decision_id,
        "candidate": candidates.order_by("created_at").first().pk,
        "move": candidates.order_by("-created_at").first().pk,
    }


def run(url) -> int:
    import django

    # WhiteNoise warns that no static files were collected; the benchmark serves none.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from hubs.models import Hub, HubMembership
    from ihf.models import User
    from observability import compute

    if not User.objects.filter(email="bench-steward@example.test").exists():
        print("recomputes:", flush=True)
        for step in (
            compute.recompute_friction,
            compute.detect_bottlenecks,
            compute.snapshot_health,
            compute.detect_propagations,
        ):
            print(f"  {step()}", flush=True)
        steward = User.objects.create_user("bench-steward@example.test", "bench-password-1", name="Bench")
        HubMembership.objects.bulk_create(
            [HubMembership(hub=hub, user=steward, role="steward") for hub in Hub.objects.all()]
        )
        User.objects.create_superuser("bench-admin@example.test", "bench-password-1", name="Admin")
        # Statistics as autovacuum would have them for these rows (a planner that thinks the steward
        # belongs to one hub plans the review board differently).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    steward = User.objects.get(email="bench-steward@example.test")
    admin_user = User.objects.get(email="bench-admin@example.test")
    client, admin_client = Client(), Client()
    client.force_login(steward)
    admin_client.force_login(admin_user)
    # Production settings without collected static files: serve their plain names.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    ids = _ids()
    results: list = []
    only = os.environ.get("BENCH_ONLY", "")
    print(
        f"server time over {REQUESTS} requests each (5 for pages of 60+ queries), as a steward of 100 hubs:"
    )
    for label, method, path, data, htmx, goal in _pages(ids):
        if only in label:
            _measure(client, label, method, path, data, htmx, goal, results)
    if only in "htmx triage move":
        _move(client, ids, results)
    print("admin, as a superuser:", flush=True)
    for label, method, path, data, htmx, goal in _admin_pages():
        if only in label:
            _measure(admin_client, label, method, path, data, htmx, goal, results)
    missed = [r for r in results if r[5]]
    print(f"{len(results)} pages and fragments, {len(missed)} missing a goal", flush=True)
    from django.db import connections

    connections.close_all()
    return 0


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench pages does).", file=sys.stderr)
        return 2
    url = urlunsplit(urlsplit(base)._replace(path=f"/{DB}"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: production settings would redirect to HTTPS
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    reuse = os.environ.get("BENCH_REUSE") and _exists(base)
    try:
        if reuse:
            print(f"reusing {DB}; migrating …", flush=True)
        else:
            _admin(base, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            _admin(base, f"CREATE DATABASE {DB}")
            print(f"migrating {DB} …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        if not reuse:
            print("loading …", flush=True)
            started = time.perf_counter()
            pages_data.load(url)
            print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiring.settings")
        return run(url)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            _admin(base, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
