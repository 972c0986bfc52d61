"""API key benchmark: how fast a revocation reaches every web process, and how far the limit is overshot.

    bin/ihf bench key_revocation      (or: python bench/key_revocation.py with DATABASE_URL set)

Serves IHF with gunicorn (BENCH_WORKERS sync workers, 3 by default) on a scratch database (ihf_bench, dropped
at the end). For each of BENCH_KEYS keys it sends requests until every worker has the key in its cache,
revokes the key from another connection (as the admin or another process would), and times until requests
on fresh connections — spread over the workers — are refused 20 times in a row: once with the LISTEN/NOTIFY
listener (the default), once without (only the one-second sync). Goal: ~100 ms with the listener. Then it
floods a key limited to BENCH_LIMIT requests a minute from 4 clients and reports how many were accepted:
the overshoot is what other processes counted since their last sync (hubs/keys.py).
"""

import http.client
import json
import os
import signal
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as base  # bench/ingest.py: the scratch database and gunicorn

KEYS = int(os.environ.get("BENCH_KEYS", "10"))
LIMIT = int(os.environ.get("BENCH_LIMIT", "300"))


def _request(key: str, widget: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", base.PORT, timeout=10)
    event = {"widget_id": widget, "event_type": "clicked", "occurred_at": datetime.now(UTC).isoformat()}
    status, _ = base._post(conn, json.dumps(event).encode(), key)
    conn.close()
    return status


def _new_key(env, limit: int) -> str:
    return base.manage(
        env, "create_api_key", "--hub", "bench", "--scope", "ingest", "--rate-limit", str(limit)
    ).strip()


def revocation_latency(url, env, widget, keys: int) -> list[float]:
    """Seconds from the revoking commit to 20 refusals in a row, one per key."""
    latencies = []
    for _ in range(keys):
        key = _new_key(env, 1_000_000)
        for _ in range(30):  # fresh connections land on every worker
            assert _request(key, widget) in {200, 201}
        public_id = key.split("_")[2]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("UPDATE api_keys SET revoked_at = now() WHERE public_id = %s", [public_id])
        started = time.perf_counter()
        refused_in_a_row = 0
        while refused_in_a_row < 20 and time.perf_counter() - started < 10:
            refused_in_a_row = refused_in_a_row + 1 if _request(key, widget) == 401 else 0
        latencies.append(time.perf_counter() - started)
    return latencies


def overshoot(env, widget) -> tuple[int, int]:
    """(accepted, refused) of 4 clients flooding a key limited to LIMIT a minute for 3 seconds."""
    key = _new_key(env, LIMIT)
    counts = {"accepted": 0, "refused": 0}
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", base.PORT, timeout=10)
        event = json.dumps(
            {"widget_id": widget, "event_type": "clicked", "occurred_at": datetime.now(UTC).isoformat()}
        ).encode()
        deadline = time.perf_counter() + 3
        while time.perf_counter() < deadline:
            status, _ = base._post(conn, event, key)
            with lock:
                counts["accepted" if status in {200, 201} else "refused"] += 1

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["accepted"], counts["refused"]


def _figures(label: str, latencies: list[float]) -> None:
    ms = sorted(latency * 1000 for latency in latencies)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"  {label}: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms", flush=True)


def main() -> int:
    database = os.environ.get("DATABASE_URL")
    if not database:
        print("Set DATABASE_URL (bin/ihf bench key_revocation does).", file=sys.stderr)
        return 2
    url = base.scratch_url(database)
    base.admin(database, "DROP DATABASE IF EXISTS ihf_bench WITH (FORCE)")
    base.admin(database, "CREATE DATABASE ihf_bench")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: production settings would redirect to HTTPS
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    server = None
    try:
        _key, widgets = base.prepare(url, env)
        print(
            f"revocation reaching all {base.WORKERS} workers, {KEYS} keys each way (goal: ~100 ms):",
            flush=True,
        )
        for label, notify in [("with LISTEN/NOTIFY", "1"), ("sync only (IHF_API_KEY_NOTIFY=0)", "0")]:
            server = base.start_server({**env, "IHF_API_KEY_NOTIFY": notify})
            time.sleep(1)  # the workers' listeners connect on their first request; give them a moment
            _figures(label, revocation_latency(url, env, widgets[0], KEYS))
            if notify == "1":
                accepted, refused = overshoot(env, widgets[0])
                print(
                    f"  limit {LIMIT}/min, 4 clients for 3 s over {base.WORKERS} workers: "
                    f"accepted {accepted} (overshoot {max(0, accepted - LIMIT)}), refused {refused}",
                    flush=True,
                )
            server.terminate()
            server.wait(timeout=30)
            server = None
        return 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        base.admin(database, "DROP DATABASE IF EXISTS ihf_bench WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
