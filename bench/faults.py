"""Fault benchmark: exactly-once ingestion while PostgreSQL restarts and a gunicorn worker is killed.

    bin/ihf bench faults          (or: python bench/faults.py)

It breaks only what it owns: a private embedded PostgreSQL (pgserver) in a temporary folder, reached over its
own Unix socket, and gunicorn on a free loopback port. DATABASE_URL's server is never used.

Each scenario sends BENCH_EVENTS events (default 20,000) from BENCH_CLIENTS clients (4), each paced to
BENCH_RATE requests per second (40), in single-event requests and batches of 2 to BENCH_BATCH events (50).
Every event has its own client-made id and a mark in its metadata (scenario, client, sequence number), and a
refused request is retried as static/ihf/reporter.js does: the same body again after a network error, a 5xx
or a 429, waiting 1 s, 2 s, 4 s, … up to 60 s; any other answer ends it. Once a third of the events are
acknowledged, the fault:

    restart-fast       pg_ctl restart -m fast: a clean shutdown that ends every session
    restart-immediate  pg_ctl restart -m immediate: a crash; the start replays the WAL
    outage-immediate   pg_ctl stop -m immediate, BENCH_OUTAGE_SECONDS (5) without a database, start
    kill-worker        kill -9 of the gunicorn worker serving a 1,000-event batch, 0-60 ms into it

(BENCH_SCENARIOS picks some, comma-separated; BENCH_LOG=FILE keeps gunicorn's log.) Per scenario it reports
lost events (a mark never stored), doubled ones (a mark stored twice), the 5xx answers and connection errors
the clients saw, and the recovery time: from the fault until a probe reading the database (GET
/api/v1/widgets every 50 ms) answers 200 and keeps doing so. The bar is 0 lost and 0 doubled; the daily
rollup must count every stored event.
"""

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ihf import embedded_db  # noqa: E402
from ihf.ids import uuid7  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
RATE = float(os.environ.get("BENCH_RATE", "40"))  # requests per second per client
BATCH = int(os.environ.get("BENCH_BATCH", "50"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
OUTAGE_SECONDS = float(os.environ.get("BENCH_OUTAGE_SECONDS", "5"))
SCENARIOS = ["restart-fast", "restart-immediate", "outage-immediate", "kill-worker"]
PROBE_EVERY = 0.05
VICTIM_EVENTS = 1000  # the batch in flight when kill-worker kills its worker
WIDGETS = 100


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def embedded(pgdata: Path, *command: str) -> str:
    """`python -m ihf.embedded_db COMMAND` in a process of its own, as bin/ihf runs it."""
    return subprocess.run(
        [sys.executable, "-m", "ihf.embedded_db", *command],
        cwd=ROOT,
        env={**os.environ, "IHF_PGDATA": str(pgdata)},
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, env) -> tuple[str, str, list[str]]:
    """Migrate the private database; a hub with widgets, an ingest key and a read key."""
    manage(env, "migrate", "--no-input", "-v", "0")
    with psycopg.connect(url, autocommit=True) as conn:
        hub = conn.execute(
            "INSERT INTO hubs (id, slug, name, domain, allowed_origins, webhook_url) "
            "VALUES (gen_random_uuid(), 'faults', 'Faults', 'faults.local', '[]', '') RETURNING id"
        ).fetchone()[0]
        widgets = [str(uuid.uuid4()) for _ in range(WIDGETS)]
        with conn.cursor().copy("COPY widgets (id, hub_id, name, widget_type) FROM STDIN") as copy:
            for n, wid in enumerate(widgets):
                copy.write_row((wid, hub, f"Widget {n}", "button"))
    ingest, read = (
        manage(env, "create_api_key", "--hub", "faults", "--scope", scope, "--rate-limit", "10000000").strip()
        for scope in ("ingest", "read")
    )
    return ingest, read, widgets


class Server:
    """gunicorn in a session of its own, as in production: wiring.wsgi, sync workers."""

    def __init__(self, env, port: int, log: Path):
        self.port = port
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "wiring.wsgi", "--workers", str(WORKERS)]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 120
        while self.workers() != WORKERS or not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/api/health")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def workers(self) -> int:
        return len(self.worker_pids())

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def worker_holding(self, client_port: int) -> int | None:
        """The worker whose socket is the server end of the connection from `client_port`, if one took it."""
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
            if local == self.port and remote == client_port:
                inodes.add(f"socket:[{fields[9]}]")
        for pid in self.worker_pids():
            try:
                if any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    return pid
            except (FileNotFoundError, ProcessLookupError):
                continue
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the arbiter stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@dataclass
class Tally:
    """What the clients saw in one scenario; threads add to it under the lock."""

    acknowledged: int = 0
    requests: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    too_many: int = 0
    refused: int = 0  # other 4xx: the reporter drops such a batch
    answers: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def post(conn: http.client.HTTPConnection, key: str, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", "/api/v1/interaction-events", body=body, headers=headers(key))
    response = conn.getresponse()
    return response.status, response.read()


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def events(scenario: str, client: int, first: int, size: int, widgets, rng: random.Random) -> bytes:
    """A request body: one event, or a batch; each event with its id and its mark."""
    batch = [
        {
            "id": str(uuid7()),
            "widget_id": rng.choice(widgets),
            "event_type": "clicked",
            "occurred_at": datetime.now(UTC).isoformat(),
            "metadata": {"scenario": scenario, "client": client, "seq": first + n},
        }
        for n in range(size)
    ]
    return json.dumps(batch[0] if size == 1 else {"events": batch}).encode()


def deliver(conn, key: str, body: bytes, size: int, tally: Tally, pace=lambda: None) -> bytes:
    """Send `body` until it is answered, as the reporter does: the same body again after a network error, a
    5xx or a 429, waiting 1 s, 2 s, 4 s, … up to 60 s; any other answer ends it. The final answer's body."""
    delay = 0.0
    while True:
        pace()
        try:
            status, payload = post(conn, key, body)
        except (OSError, http.client.HTTPException):
            conn.close()
            tally.add(requests=1, connection_errors=1)
        else:
            with tally.lock:
                tally.requests += 1
                tally.answers[status] = tally.answers.get(status, 0) + 1
            if 200 <= status < 300:
                tally.add(acknowledged=size)
                return payload
            if status >= 500:
                tally.add(server_errors=1)
            elif status == 429:
                tally.add(too_many=1)
            else:
                tally.add(refused=size)
                return payload
        delay = min(delay * 2 if delay else 1.0, 60.0)
        time.sleep(delay)


def client(number: int, scenario: str, count: int, port: int, key: str, widgets: list[str], tally: Tally):
    """One of the load's clients: `count` events, at most RATE requests per second."""
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    next_send = time.monotonic()

    def pace() -> None:
        nonlocal next_send
        time.sleep(max(0.0, next_send - time.monotonic()))
        next_send = time.monotonic() + 1 / RATE

    sequence = 0
    while sequence < count:
        size = min(1 if rng.random() < 0.3 else rng.randint(2, BATCH), count - sequence)
        deliver(conn, key, events(scenario, number, sequence, size, widgets, rng), size, tally, pace)
        sequence += size


class Probe(threading.Thread):
    """GET /api/v1/widgets (it reads the database) every PROBE_EVERY seconds: (time, ok) pairs."""

    def __init__(self, port: int, key: str):
        super().__init__(daemon=True)
        self.port, self.key = port, key
        self.results: list[tuple[float, bool]] = []
        self.done = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.done.is_set():
            started = time.monotonic()
            try:
                conn.request(
                    "GET", "/api/v1/widgets?limit=1", headers={"Authorization": f"Bearer {self.key}"}
                )
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            self.results.append((started, ok))
            self.done.wait(max(0.0, PROBE_EVERY - (time.monotonic() - started)))

    def recovery(self, fault_at: float) -> float | None:
        """Seconds from the fault to the first good probe after the last bad one; 0 when none failed."""
        after = [(at, ok) for at, ok in self.results if at >= fault_at]
        bad = [at for at, ok in after if not ok]
        if not bad:
            return 0.0
        good = [at for at, ok in after if ok and at > bad[-1]]
        return good[0] - fault_at if good else None


def inject(scenario: str, pgdata: Path, server: Server, tally: Tally, key: str, widgets) -> tuple[int, str]:
    """The fault: (events it sent itself, a note on how it went)."""
    if scenario == "restart-fast":
        embedded_db.restart(pgdata, "fast")
    elif scenario == "restart-immediate":
        embedded_db.restart(pgdata, "immediate")
    elif scenario == "outage-immediate":
        embedded_db.stop(pgdata, "immediate")
        time.sleep(OUTAGE_SECONDS)
        embedded(pgdata, "start")  # same socket and port: the URL the server has still works
    elif scenario == "kill-worker":
        return kill_worker_mid_request(scenario, server, tally, key, widgets)
    else:
        raise SystemExit(f"unknown scenario {scenario!r} (one of {', '.join(SCENARIOS)})")
    return 0, ""


def kill_worker_mid_request(scenario, server: Server, tally: Tally, key: str, widgets) -> tuple[int, str]:
    """Send a batch of VICTIM_EVENTS, kill -9 the gunicorn worker serving it some milliseconds in, then retry
    the batch as the reporter would. Its answer says whether the killed attempt had committed."""
    body = events(scenario, CLIENTS, 0, VICTIM_EVENTS, widgets, random.Random())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.connect()
    client_port = conn.sock.getsockname()[1]
    deadline = time.monotonic() + 10
    while (victim := server.worker_holding(client_port)) is None:
        if time.monotonic() > deadline:
            raise SystemExit("no gunicorn worker took the connection")
        time.sleep(0.001)
    after = random.uniform(0.0, 0.06)  # the batch takes ~100 ms: before or after its commit
    conn.request("POST", "/api/v1/interaction-events", body=body, headers=headers(key))
    time.sleep(after)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    try:
        response = conn.getresponse()
        status, payload = response.status, response.read()
    except (OSError, http.client.HTTPException):
        tally.add(requests=1, connection_errors=1)
        conn.close()
        answer = json.loads(deliver(conn, key, body, VICTIM_EVENTS, tally))
        committed = "had committed" if answer.get("duplicates") == VICTIM_EVENTS else "had not committed"
        outcome = (
            f"the connection broke; the retry answered accepted {answer.get('accepted')}, duplicates "
            f"{answer.get('duplicates')} (the killed attempt {committed})"
        )
    else:
        tally.add(requests=1, acknowledged=VICTIM_EVENTS if status < 300 else 0)
        outcome = f"it had answered {status} already"
        if status >= 300:
            raise SystemExit(f"the batch was refused: {status} {payload[:300]!r}")
    while victim in server.worker_pids() or server.workers() < WORKERS:
        time.sleep(0.02)
    replaced = time.monotonic() - killed
    return VICTIM_EVENTS, (
        f"worker {victim} killed {after * 1000:.0f} ms into a {VICTIM_EVENTS:,}-event batch: {outcome}; "
        f"gunicorn replaced the worker in {replaced:.2f} s"
    )


def run_scenario(scenario: str, pgdata: Path, url: str, server: Server, keys, widgets) -> dict:
    ingest_key, read_key = keys
    tally = Tally()
    probe = Probe(server.port, read_key)
    probe.start()
    shares = [EVENTS // CLIENTS + (1 if n < EVENTS % CLIENTS else 0) for n in range(CLIENTS)]
    threads = [
        threading.Thread(target=client, args=(n, scenario, share, server.port, ingest_key, widgets, tally))
        for n, share in enumerate(shares)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while tally.acknowledged < EVENTS / 3 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    fault_at = time.monotonic()
    extra, note = inject(scenario, pgdata, server, tally, ingest_key, widgets)
    for thread in threads:
        thread.join(timeout=600)
    duration = time.monotonic() - started
    time.sleep(1)  # a last few probes after the load
    probe.done.set()
    probe.join()
    with psycopg.connect(url) as conn:
        rows, marks = conn.execute(
            "SELECT count(*), count(DISTINCT (metadata->>'client', metadata->>'seq')) "
            "FROM interaction_events WHERE metadata->>'scenario' = %s",
            [scenario],
        ).fetchone()
    return {
        "scenario": scenario,
        "events": EVENTS + extra,
        "lost": EVENTS + extra - marks,
        "doubled": rows - marks,
        "5xx": tally.server_errors,
        "connection errors": tally.connection_errors,
        "429": tally.too_many,
        "refused (4xx)": tally.refused,
        "requests": tally.requests,
        "recovery": probe.recovery(fault_at),
        "duration": duration,
        "answers": ", ".join(f"{n} × {status}" for status, n in sorted(tally.answers.items())),
        "note": note,
    }


def report(results: list[dict]) -> None:
    print(
        f"\n{'scenario':<19} {'lost':>5} {'doubled':>8} {'5xx':>5} {'conn err':>9} {'429':>5} {'4xx':>5} "
        f"{'requests':>9} {'recovery':>9} {'duration':>9}"
    )
    for r in results:
        if r["recovery"] is None:
            recovery = "never"
        else:
            recovery = f"{r['recovery']:.2f} s" if r["recovery"] else "no outage"
        print(
            f"{r['scenario']:<19} {r['lost']:>5} {r['doubled']:>8} {r['5xx']:>5} {r['connection errors']:>9} "
            f"{r['429']:>5} {r['refused (4xx)']:>5} {r['requests']:>9} {recovery:>9} {r['duration']:>7.1f} s"
        )
        print(f"  answers: {r['answers']}" + (f"; {r['note']}" if r["note"] else ""))


def main() -> int:
    chosen = [s.strip() for s in os.environ.get("BENCH_SCENARIOS", ",".join(SCENARIOS)).split(",") if s]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        print(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="ihf-faults-"))
    folder.chmod(0o755)  # pgserver runs PostgreSQL as a system user when started as root
    pgdata = folder / "pgdata"
    server = None
    try:
        print(f"starting a private PostgreSQL in {pgdata} …", flush=True)
        url = embedded(pgdata, "start")
        embedded(pgdata, "ensure-database", url)
        env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: production settings would redirect to HTTPS
            "SECRET_KEY": "bench-only",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore:No directory at",
        }
        print("migrating it and creating a hub, widgets and keys …", flush=True)
        ingest_key, read_key, widgets = prepare(url, env)
        # The server's log (the tracebacks of its 500s) goes to a file, shown when the bar is not met.
        server = Server(env, free_port(), folder / "gunicorn.log")
        print(
            f"gunicorn: {WORKERS} sync workers on 127.0.0.1:{server.port}; {CLIENTS} clients × {RATE:g} "
            f"requests/s, {EVENTS:,} events per scenario (30 % single, else batches of 2–{BATCH})",
            flush=True,
        )
        results = []
        for scenario in chosen:
            print(f"scenario {scenario} …", flush=True)
            results.append(run_scenario(scenario, pgdata, url, server, (ingest_key, read_key), widgets))
        server.stop()
        server = None
        report(results)
        with psycopg.connect(url) as conn:
            stored, rollup = conn.execute(
                "SELECT (SELECT count(*) FROM interaction_events), "
                "(SELECT coalesce(sum(event_count), 0) FROM widget_daily_event_counts)"
            ).fetchone()
        mismatch = "" if stored == rollup else " — MISMATCH"
        print(f"stored {stored:,} events; the daily rollup counts {rollup:,}{mismatch}")
        failed = [r["scenario"] for r in results if r["lost"] or r["doubled"] or r["recovery"] is None]
        verdict = f"FAILED in {', '.join(failed)}" if failed else "met"
        print(f"bar (0 lost, 0 doubled, recovered): {verdict}")
        if failed or stored != rollup:
            print(f"\n--- the end of gunicorn's log ---\n{(folder / 'gunicorn.log').read_text()[-6000:]}")
            return 1
        return 0
    finally:
        if server is not None:
            server.stop()
        try:
            embedded(pgdata, "stop")
        finally:
            if os.environ.get("BENCH_LOG") and (folder / "gunicorn.log").exists():
                shutil.copy(folder / "gunicorn.log", os.environ["BENCH_LOG"])
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
