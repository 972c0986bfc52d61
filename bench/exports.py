"""Export benchmark: 1M decision → outcome lineage records written as JSONL.

    bin/ihf bench exports      (or: python bench/exports.py with DATABASE_URL set)

Builds, set-based in a scratch database (ihf_bench_exports, dropped at the end), 10 hubs, 1,000 widgets and
candidates with an annotation each, BENCH_RECORDS decisions (default 1,000,000) and a deployment with a
status, a signal and an evaluation for every tenth; then runs reporting.exports.export() for all of them and
prints the time, the rate, the file size and the process's peak memory before and after (it must stay flat:
COPY streams). Goal: 1M records in under 60 s.
"""

import os
import resource
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))
GOAL_SECONDS = 60

BUILD = (Path(__file__).resolve().parent / "exports_build.sql").read_text()


def _admin(base, sql):
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench exports does).", file=sys.stderr)
        return 2
    url = urlunsplit(urlsplit(base)._replace(path="/ihf_bench_exports"))
    _admin(base, "DROP DATABASE IF EXISTS ihf_bench_exports WITH (FORCE)")
    _admin(base, "CREATE DATABASE ihf_bench_exports")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    try:
        print("migrating ihf_bench_exports …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiring.settings")
        import django

        warnings.filterwarnings("ignore", message="No directory at")
        django.setup()
        from django.conf import settings

        from hubs.models import Hub
        from reporting import exports
        from tests.factories import HubFactory, WidgetFactory

        started = time.perf_counter()
        hubs = HubFactory.create_batch(10)
        for n in range(1000):
            WidgetFactory(hub=hubs[n % 10], name=f"Widget {n}")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(BUILD % {"records": RECORDS})
            conn.execute("VACUUM ANALYZE")
        print(
            f"built {RECORDS:,} decisions with their chains in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        with TemporaryDirectory() as folder:
            settings.IHF_EXPORT_DIR = folder
            hub_ids = list(Hub.objects.values_list("pk", flat=True))
            before = _peak_mb()
            started = time.perf_counter()
            row = exports.export(
                "decision_outcome",
                hub_ids=hub_ids,
                since=datetime.now(UTC) - timedelta(days=365),
                until=datetime.now(UTC),
                log=lambda message: print(message, flush=True),
            )
            seconds = time.perf_counter() - started
            verdict = "met" if seconds < GOAL_SECONDS and row.record_count >= RECORDS else "NOT met"
            print(
                f"export: {row.record_count:,} records, {row.size_bytes / 1e6:.0f} MB in {seconds:.1f} s "
                f"({row.record_count / seconds:,.0f} records/s); peak memory {before:.0f} MB before, "
                f"{_peak_mb():.0f} MB after; goal < {GOAL_SECONDS} s: {verdict}"
            )
    finally:
        if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 leaves the database for a closer look
            _admin(base, "DROP DATABASE IF EXISTS ihf_bench_exports WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
