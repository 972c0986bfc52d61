"""Ingestion benchmark: raw COPY, the batch endpoint through gunicorn, and single-event requests.

    bin/ihf bench ingest          (or: python bench/ingest.py with DATABASE_URL set)

Everything runs against one scratch database (ihf_bench, dropped at the end) on the PostgreSQL of
DATABASE_URL, so the three figures are measured on the same table, the same machine, the same day. A shared
2-core VM is noisy (the same code measured 30 % apart minutes apart), so the three phases run in rounds
(BENCH_ROUNDS, default 3), each round's batch rate is set against that round's COPY, every round is printed
and the goals are judged on the medians.
Goals (2 cores): batch ≥ 0.35 × raw COPY; single events ≥ 1,000 requests/s at p99 < 25 ms.
"""

import http.client
import io
import json
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ihf.ids import uuid7  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8799"))
COPY_ROWS = int(os.environ.get("BENCH_COPY_ROWS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
BATCH = 500
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
SINGLE_CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "1"))


def scratch_url(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/ihf_bench"))


def admin(base: str, sql: str) -> None:
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def manage(env, *args) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def prepare(url: str, env) -> tuple[str, list[str]]:
    print("preparing the scratch database ihf_bench …", flush=True)
    manage(env, "migrate", "--no-input", "-v", "0")
    with psycopg.connect(url, autocommit=True) as conn:
        hub = conn.execute(
            "INSERT INTO hubs (id, slug, name, domain, allowed_origins, webhook_url) "
            "VALUES (gen_random_uuid(), 'bench', 'Bench', 'bench.local', '[]', '') RETURNING id"
        ).fetchone()[0]
        widgets = [str(uuid.uuid4()) for _ in range(1000)]
        with conn.cursor().copy("COPY widgets (id, hub_id, name, widget_type) FROM STDIN") as copy:
            for n, wid in enumerate(widgets):
                copy.write_row((wid, hub, f"Widget {n}", "button"))
    key = manage(
        env, "create_api_key", "--hub", "bench", "--scope", "ingest", "--rate-limit", "100000000"
    ).strip()
    return key, widgets


def bench_copy(url: str, widgets: list[str]) -> float:
    now = datetime.now(UTC)
    buffer = io.StringIO()
    for n in range(COPY_ROWS):
        moment = now - timedelta(seconds=COPY_ROWS - n)
        buffer.write(
            f"{uuid7(int(moment.timestamp() * 1000))}\t{widgets[n % len(widgets)]}\tclicked\tuser\t"
            f"{{}}\t{moment.isoformat()}\n"
        )
    data = buffer.getvalue().encode()
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        with conn.cursor().copy(
            "COPY interaction_events (id, widget_id, event_type, actor_type, metadata, occurred_at) "
            "FROM STDIN"
        ) as copy:
            for offset in range(0, len(data), 1 << 20):
                copy.write(data[offset : offset + (1 << 20)])
        conn.commit()
        elapsed = time.perf_counter() - started
    return COPY_ROWS / elapsed


def _post(conn, body: bytes, key: str):
    conn.request(
        "POST",
        "/api/v1/interaction-events",
        body=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload


def _batch_client(key, widgets, seconds, results):
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    accepted, requests = 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        now = datetime.now(UTC).isoformat()
        events = [
            {
                "id": str(uuid7()),
                "widget_id": rng.choice(widgets),
                "event_type": "clicked",
                "occurred_at": now,
            }
            for _ in range(BATCH)
        ]
        status, payload = _post(conn, json.dumps({"events": events}).encode(), key)
        if status != 200:
            raise SystemExit(f"batch answered {status}: {payload[:200]!r}")
        accepted += json.loads(payload)["accepted"]
        requests += 1
    results.put((accepted, requests))


def _single_client(key, widgets, seconds, results):
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        body = json.dumps(
            {
                "id": str(uuid7()),
                "widget_id": rng.choice(widgets),
                "event_type": "clicked",
                "occurred_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        started = time.perf_counter()
        status, payload = _post(conn, body, key)
        latencies.append(time.perf_counter() - started)
        if status != 201:
            raise SystemExit(f"single event answered {status}: {payload[:200]!r}")
    results.put(latencies)


# Each request reports a widget picked at random, as the batch and Python clients do.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
local widgets = {%(widgets)s}
request = function()
  local body = '{"widget_id": "' .. widgets[math.random(#widgets)] .. '", "event_type": "clicked", '
    .. '"occurred_at": "%(now)s"}'
  return wrk.format(nil, nil, nil, body)
end
"""


def _duration_ms(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for unit in ("us", "ms", "s"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    raise ValueError(text)


def single_with_wrk(key, widgets, connections):
    """Single-event requests from wrk (a C load generator: it leaves the CPU to the server)."""
    import re
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            WRK_SCRIPT
            % {
                "key": key,
                "widgets": ", ".join(f'"{w}"' for w in widgets),
                "now": datetime.now(UTC).isoformat(),
            }
        )
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{int(SECONDS)}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{PORT}/api/v1/interaction-events",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(script.name)
    out = result.stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = {p: _duration_ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M)}
    return rate, percentiles["50"], percentiles["99"]


def run_clients(target, key, widgets, clients):
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=target, args=(key, widgets, SECONDS, results)) for _ in range(clients)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    collected = [results.get(timeout=SECONDS + 60) for _ in processes]
    for process in processes:
        process.join()
    return collected, time.perf_counter() - started


def checkpoint(url: str) -> None:
    """Settle what the previous phase wrote (vacuum, statistics, a checkpoint), so that autovacuum and the
    checkpoint it would trigger do not land in the middle of the next measurement."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) interaction_events, widget_daily_event_counts, api_keys")
        conn.execute("CHECKPOINT")


def start_server(env):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wiring.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            WORKER_CLASS,
            "--threads",
            str(THREADS),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return serving(server)


def serving(server, port: int = PORT):
    """`server` once it answers /api/health on `port` (about 10 s at most); stopped, and an error, if not."""
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def measure_round(url, key, widgets) -> dict:
    checkpoint(url)
    copy_rate = bench_copy(url, widgets)
    print(f"  raw COPY of {COPY_ROWS:,} events: {copy_rate:,.0f} rows/s", flush=True)
    checkpoint(url)
    if shutil.which("wrk"):
        rate, p50, p99 = single_with_wrk(key, widgets, SINGLE_CONNECTIONS)
        how = f"wrk, {SINGLE_CONNECTIONS} connections"
    else:
        singles, elapsed = run_clients(_single_client, key, widgets, CLIENTS)
        latencies = sorted(x for chunk in singles for x in chunk)
        rate = len(latencies) / elapsed
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        how = f"{CLIENTS} Python clients (install wrk for a lighter load generator)"
    print(
        f"  single events ({how}, {SECONDS:.0f} s): {rate:,.0f} requests/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
        flush=True,
    )
    checkpoint(url)
    batches, elapsed = run_clients(_batch_client, key, widgets, CLIENTS)
    batch_rate = sum(a for a, _r in batches) / elapsed
    print(
        f"  batch endpoint ({CLIENTS} clients × {BATCH}-event batches, {SECONDS:.0f} s): {batch_rate:,.0f} "
        f"events/s = {batch_rate / copy_rate:.2f} × this round's COPY",
        flush=True,
    )
    return {"copy": copy_rate, "rate": rate, "p50": p50, "p99": p99, "batch": batch_rate}


def report(rounds: list[dict]) -> None:
    median = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    ratios = [r["batch"] / r["copy"] for r in rounds]
    print(
        f"medians of {len(rounds)} rounds (gunicorn {WORKER_CLASS}, {WORKERS} workers × {THREADS} threads):",
        flush=True,
    )
    print(f"  raw COPY: {median['copy']:,.0f} rows/s", flush=True)
    print(
        f"  batch endpoint: {median['batch']:,.0f} events/s = {statistics.median(ratios):.2f} × raw COPY "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; goal ≥ 0.35)",
        flush=True,
    )
    print(
        f"  single events: {median['rate']:,.0f} requests/s, "
        f"p50 {median['p50']:.1f} ms, p99 {median['p99']:.1f} ms "
        f"(rounds: {', '.join(f'{r["rate"]:,.0f}/s p99 {r["p99"]:.0f} ms' for r in rounds)}; "
        f"goal ≥ 1,000/s at p99 < 25 ms)",
        flush=True,
    )


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench ingest does).", file=sys.stderr)
        return 2
    url = scratch_url(base)
    admin(base, "DROP DATABASE IF EXISTS ihf_bench WITH (FORCE)")
    admin(base, "CREATE DATABASE ihf_bench")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: production settings would redirect to HTTPS
        # WhiteNoise warns that no static files were collected; the benchmark serves none.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    server = None
    try:
        key, widgets = prepare(url, env)
        server = start_server(env)
        rounds = []
        for number in range(1, ROUNDS + 1):
            print(f"round {number} of {ROUNDS}", flush=True)
            rounds.append(measure_round(url, key, widgets))
        server.terminate()  # the arbiter stops its workers (signalling the group made each one complain)
        server.wait(timeout=30)
        server = None
        report(rounds)
        with psycopg.connect(url) as conn:
            stored, rollup = conn.execute(
                "SELECT (SELECT count(*) FROM interaction_events), "
                "(SELECT sum(event_count) FROM widget_daily_event_counts)"
            ).fetchone()
        print(
            f"stored {stored:,} events; the daily rollup counts {rollup:,}"
            f"{'' if stored == rollup else ' — MISMATCH'}",
            flush=True,
        )
        return 0 if stored == rollup else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin(base, "DROP DATABASE IF EXISTS ihf_bench WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
