"""Login flood benchmark: single-event ingestion while ten clients post wrong passwords as fast as they can.

    bin/ihf bench login          (or: python bench/login.py with DATABASE_URL set)

gunicorn serves a scratch database (ihf_bench_login, dropped at the end) with IHF's worker model
(gunicorn.conf.py) and production settings, behind one simulated reverse proxy (IHF_TRUSTED_PROXIES=1), so
that the flood can come from one address or from a new one every request. BENCH_ROUNDS rounds (3) of three
phases of BENCH_SECONDS (8), wrk sending single events with 4 connections throughout, as bench/ingest.py does:

1. quiet: ingestion alone;
2. flood from one address: BENCH_FLOOD_CLIENTS clients (10) each post a sign-in with a wrong password (after
   fetching the form for its CSRF token, as a browser would) and the next as soon as the answer comes; past
   IHF_LOGIN_ATTEMPTS_PER_ADDRESS the throttle answers 429 without hashing;
3. flood from a new address every request (a botnet): no throttle engages, every attempt costs a hash.

In both floods one more client signs in with the right password once a second, from an address of its own:
what a person pays during the attack. Every round is printed and the goal is judged on the medians, as the
shared 2-core machine drifts by a third within minutes (docs/scaling.md). Goal (issue #15): ingestion p99
< 25 ms while ten clients flood the login.
"""

import http.client
import multiprocessing
import os
import random
import re
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ingest  # noqa: E402 — bench/ingest.py: wrk's script and the scratch database helpers

PORT = int(os.environ.get("BENCH_PORT", "8798"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
FLOOD_CLIENTS = int(os.environ.get("BENCH_FLOOD_CLIENTS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
ingest.PORT, ingest.SECONDS = PORT, SECONDS  # single_with_wrk reads them there
PHASES = {
    "quiet": "quiet",
    "one": "flood from one address",
    "many": "flood from a new address every request",
}
WANTED = os.environ.get("BENCH_PHASES", ",".join(PHASES)).split(",")
DATABASE = "ihf_bench_login"
PASSWORD = "a long enough bench passphrase"
USERS = 20


def _url(base: str, database: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{database}"))


def prepare(url: str, env) -> tuple[str, list[str]]:
    print(f"preparing the scratch database {DATABASE} …", flush=True)
    ingest.manage(env, "migrate", "--no-input", "-v", "0")
    ingest.manage(env, "collectstatic", "--no-input", "-v", "0")  # the login page names its static files
    with psycopg.connect(url, autocommit=True) as conn:
        hub = conn.execute(
            "INSERT INTO hubs (id, slug, name, domain, allowed_origins, webhook_url) "
            "VALUES (gen_random_uuid(), 'bench', 'Bench', 'bench.local', '[]', '') RETURNING id"
        ).fetchone()[0]
        widgets = [
            row[0] for row in conn.execute("SELECT gen_random_uuid()::text FROM generate_series(1, 1000)")
        ]
        with conn.cursor().copy("COPY widgets (id, hub_id, name, widget_type) FROM STDIN") as copy:
            for n, wid in enumerate(widgets):
                copy.write_row((wid, hub, f"Widget {n}", "button"))
    # Accounts hashed with the production hasher, as the flood finds them.
    ingest.manage(
        env,
        "shell",
        "-c",
        "from ihf.models import User\n"
        f"for n in range({USERS}): User.objects.create_user(f'user{{n}}@bench.local', {PASSWORD!r})",
    )
    key = ingest.manage(
        env, "create_api_key", "--hub", "bench", "--scope", "ingest", "--rate-limit", "100000000"
    ).strip()
    return key, widgets


def start_server(env, log):
    # No worker options: gunicorn.conf.py (read from ROOT) sets the worker model under test.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wiring.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=log,
    )
    return ingest.serving(server, PORT)


def _login_form(conn) -> tuple[str, str]:
    """The CSRF cookie and the form's token, as a browser (or a careful attacker) gets them."""
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return cookie, token


def _post_login(conn, cookie, token, email, password, address, device=None):
    body = urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password})
    started = time.perf_counter()
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}" + (f"; ihf_device={device}" if device else ""),
            "X-Forwarded-For": address,
        },
    )
    response = conn.getresponse()
    response.read()
    known = re.search(r"ihf_device=([^;]+)", response.getheader("Set-Cookie", "") or "")
    return response.status, time.perf_counter() - started, known.group(1) if known else device


def _flood(number, mode, stop, results):
    rng = random.Random(number)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    cookie, token = _login_form(conn)
    statuses: Counter = Counter()
    while not stop.is_set():
        # One address for all clients, or a new one (in the documentation range 198.18.0.0/15) each time.
        address = "203.0.113.66" if mode == "one" else f"198.18.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        email = (
            f"user{rng.randrange(1, USERS)}@bench.local"
            if rng.random() < 0.1
            else f"x{rng.random()}@bench.local"
        )
        status, _took, _device = _post_login(conn, cookie, token, email, "wrong password", address)
        statuses[status] += 1
    results.put(("flood", statuses))


def _person(device, stop, results):
    """user0 signs in with the right password once a second, from its own address, in a browser that signed
    in before (its ihf_device cookie puts its hash ahead of the flood's)."""
    latencies, statuses = [], Counter()
    while not stop.is_set():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        cookie, token = _login_form(conn)
        status, took, device = _post_login(
            conn, cookie, token, "user0@bench.local", PASSWORD, "192.0.2.10", device
        )
        statuses[status] += 1
        latencies.append(took)
        conn.close()
        stop.wait(1.0)
    results.put(("person", (latencies, statuses)))


def cpu_seconds(master: int) -> float:
    """CPU time used so far by gunicorn's workers (children of `master`), threads included."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def phase(name, key, widgets, server, mode=None, device=None):
    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    processes = []
    if mode:
        processes = [
            multiprocessing.Process(target=_flood, args=(n, mode, stop, results))
            for n in range(FLOOD_CLIENTS)
        ]
        processes.append(multiprocessing.Process(target=_person, args=(device, stop, results)))
    for process in processes:
        process.start()
    time.sleep(1.0 if mode else 0)  # the flood is on before wrk starts
    started, cpu = time.perf_counter(), cpu_seconds(server.pid)
    rate, p50, p99 = ingest.single_with_wrk(key, widgets, CONNECTIONS)
    elapsed = time.perf_counter() - started
    cpu_per_request = (cpu_seconds(server.pid) - cpu) / (rate * elapsed) * 1000
    stop.set()
    floods, person = Counter(), ([], Counter())
    for _ in processes:
        kind, value = results.get(timeout=120)
        if kind == "flood":
            floods.update(value)
        else:
            person = value
    for process in processes:
        process.join()
    line = (
        f"  {name}: ingestion {rate:,.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
        f"gunicorn CPU {cpu_per_request:.2f} ms per ingested event"
    )
    if mode:
        attempts = sum(floods.values())
        answers = ", ".join(f"{count:,} × {status}" for status, count in sorted(floods.items()))
        latencies, statuses = person
        line += (
            f"\n    flood: {attempts / elapsed:,.0f} sign-ins/s ({answers})"
            f"\n    a person signing in meanwhile: {len(latencies)} sign-ins "
            f"({', '.join(f'{c} × {s}' for s, c in sorted(statuses.items()))}), "
            f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
    print(line, flush=True)
    return {"rate": rate, "p50": p50, "p99": p99}


def worker_model() -> str:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    model = f"gunicorn.conf.py: {config['worker_class']}, {config['workers']} × {config['threads']} threads"
    override = os.environ.get("GUNICORN_CMD_ARGS")
    return f"{model}, overridden by GUNICORN_CMD_ARGS={override!r}" if override else model


def run(key, widgets, server, log) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    status, _took, device = _post_login(conn, *_login_form(conn), "user0@bench.local", PASSWORD, "192.0.2.10")
    assert status == 302 and device, f"user0 could not sign in: {status}"
    print(
        f"{worker_model()}; wrk with {CONNECTIONS} connections; {SECONDS:.0f} s a phase; "
        f"{FLOOD_CLIENTS} flood clients",
        flush=True,
    )
    rounds = []
    for number in range(1, ROUNDS + 1):
        print(f"round {number} of {ROUNDS}", flush=True)
        rounds.append(
            {
                name: phase(label, key, widgets, server, None if name == "quiet" else name, device)
                for name, label in PHASES.items()
                if name in WANTED
            }
        )
    log.seek(0)
    # Django logs each refused sign-in ("Too Many Requests: /login/"); anything else is worth seeing.
    unexpected = [line for line in log if line.strip() and "Too Many Requests: /login/" not in line]
    if unexpected:
        print("gunicorn said:\n" + "".join(unexpected[-20:]), flush=True)
    print(f"ingestion, medians of {ROUNDS} round(s):", flush=True)
    for name in WANTED:
        label = PHASES[name]
        p50 = statistics.median(r[name]["p50"] for r in rounds)
        p99 = statistics.median(r[name]["p99"] for r in rounds)
        rate = statistics.median(r[name]["rate"] for r in rounds)
        print(f"  {label}: {rate:,.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
    floods = [name for name in WANTED if name != "quiet"]
    if not floods:
        return 0
    worst = max(statistics.median(r[name]["p99"] for r in rounds) for name in floods)
    # wrk's percentiles cover only the requests that completed: a starved server shows a tiny rate (and
    # timeouts) with small percentiles. Below half the quiet rate, ingestion was not served.
    slowest = min(statistics.median(r[name]["rate"] for r in rounds) for name in floods)
    quiet = statistics.median(r["quiet"]["rate"] for r in rounds) if "quiet" in WANTED else 0
    served = slowest >= 0.5 * quiet
    met = worst < 25 and served
    print(
        f"goal: ingestion p99 < 25 ms during the floods, at half the quiet rate or more: "
        f"{'met' if met else 'MISSED'}{'' if served else ' (ingestion starved)'}",
        flush=True,
    )
    return 0


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        print("Set DATABASE_URL (bin/ihf bench login does).", file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("bench login needs wrk (bin/ihf bench installs it with apt-get).", file=sys.stderr)
        return 2
    url = _url(base, DATABASE)
    ingest.admin(base, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    ingest.admin(base, f"CREATE DATABASE {DATABASE}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        # Plain HTTP on loopback: no TLS to redirect to, and cookies must travel without it.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # The flood's clients say where they come from in X-Forwarded-For, as a proxy would.
        "IHF_TRUSTED_PROXIES": "1",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    server = None
    try:
        key, widgets = prepare(url, env)
        with tempfile.TemporaryFile("w+") as log:
            server = start_server(env, log)
            return run(key, widgets, server, log)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        ingest.admin(base, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
