"""`bin/ihf run` under faults: the database restarts under it, and it is stopped with SIGTERM or Ctrl-C.

Each test runs the command's own functions (`ensure_database; cmd_run`, what `bin/ihf run` does after setting
up .venv) on a private embedded PostgreSQL in a temporary folder and a free port: the machine's shared cluster
is never touched. The module's first test pays for creating and migrating that database (~20 s); the others
reuse it.
"""

import contextlib
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from ihf import embedded_db

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 180  # a first start creates and migrates the database; a loaded 2-core machine is slow
OUTAGE_SECONDS = 3
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _restore_sigint() -> None:
    # A shell started from a script in the background inherits SIGINT ignored, and bash cannot trap a signal
    # ignored on entry. A terminal, where Ctrl-C is pressed, does not ignore it: neither do these tests.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until(predicate, timeout: float, what: str, run: "IhfRun | None" = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    log = f"\n--- bin/ihf run output (end) ---\n{run.output()[-4000:]}" if run else ""
    pytest.fail(f"{what}: not within {timeout} s{log}")


def _session_processes(sid: int) -> list[tuple[int, str]]:
    """Every live process of session `sid` (bin/ihf run is started as a session leader)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # After the command name (in parentheses, may hold spaces): state, ppid, process group, session.
            state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(session) == sid and state != "Z":
            found.append((int(entry.name), command.strip()))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


class IhfRun:
    """`bin/ihf run` on the embedded PostgreSQL in `pgdata`, serving on a free port, in its own session."""

    def __init__(self, pgdata: Path, log: Path, database_url: str | None = None):
        self.pgdata = pgdata
        self.port = _free_port()
        self.log_path = log
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DEBUG="1", IHF_PGDATA=str(pgdata), IHF_PORT=str(self.port), PYTHONUNBUFFERED="1")
        if database_url:
            env["DATABASE_URL"] = database_url
        script = f"source bin/ihf; VENV={shlex.quote(sys.prefix)}; ensure_database; cmd_run"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["/bin/bash", "-c", script],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_restore_sigint,
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def url(self) -> str:
        return embedded_db.running_url(self.pgdata)

    def serving(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/api/health")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def query(self, sql: str, params=()):
        """One row, or None while the database is unreachable."""
        try:
            with psycopg.connect(self.url(), connect_timeout=5, autocommit=True) as conn:
                return conn.execute(sql, params).fetchone()
        except (psycopg.OperationalError, FileNotFoundError, IndexError):
            return None

    def latest_worker(self) -> int | None:
        row = self.query("SELECT max(id) FROM procrastinate_workers")
        return row[0] if row else None

    def start(self) -> None:
        _wait_until(self.serving, READY_TIMEOUT, "bin/ihf run serving", self)
        _wait_until(self.latest_worker, READY_TIMEOUT, "a procrastinate worker registered", self)

    def stop(self) -> None:
        """Clean-up after a failed test: nothing the test started may outlive it, even what bin/ihf left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=60)
        for pid, _command in _session_processes(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def pgdata():
    # pgserver runs PostgreSQL as a system user when started as root: the folder must be reachable for it.
    # Not under pytest's temporary folder, which every new pytest session makes private to root again.
    folder = Path(tempfile.mkdtemp(prefix="ihf-run-"))
    folder.chmod(0o755)
    yield folder / "pgdata"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def ihf_run(pgdata, tmp_path):
    runs: list[IhfRun] = []

    def start(database_url: str | None = None) -> IhfRun:
        run = IhfRun(pgdata, tmp_path / f"run-{len(runs)}.log", database_url)
        runs.append(run)
        run.start()
        return run

    yield start
    for run in runs:
        run.stop()
    if (pgdata / "postmaster.pid").exists():
        _embedded(pgdata, "stop")


def _defer_compaction(url: str) -> int:
    """Defer the rollup compaction job through procrastinate's own API; its id."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=url))
    with app.open():
        task = app.configure_task(
            "hubs.tasks.compact_daily_event_counts",
            allow_unknown=True,
            queue="rollup",
            queueing_lock=None,
        )
        return task.defer(timestamp=0)


def _try(function, *args):
    try:
        return function(*args)
    except Exception:
        return None


def _embedded(pgdata: Path, *command: str) -> str:
    """`python -m ihf.embedded_db COMMAND` in its own process, as bin/ihf runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "ihf.embedded_db", *command],
        cwd=ROOT,
        env={**os.environ, "IHF_PGDATA": str(pgdata)},
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_the_worker_rides_out_a_database_outage_and_processes_jobs_after_it(ihf_run, pgdata, mode):
    run = ihf_run()
    url = run.url()

    # The database goes away, cleanly or as in a crash, for a few seconds: long enough for procrastinate's
    # listener to fail to reconnect, which stops the worker.
    _embedded(pgdata, "stop", mode)
    time.sleep(OUTAGE_SECONDS)
    assert _embedded(pgdata, "start") == url

    # A job deferred once the database is back is done by the worker bin/ihf started again.
    job = _wait_until(lambda: _try(_defer_compaction, url), 60, "deferring a job after the outage", run)
    _wait_until(
        lambda: (
            run.query("SELECT status = 'succeeded' FROM procrastinate_jobs WHERE id = %s", [job]) == (True,)
        ),
        90,
        f"job {job} done after the outage",
        run,
    )
    assert "the worker stopped" in run.output()  # the outage did stop it: bin/ihf started a new one
    # The rest of the command carried on: it still serves, and it did not exit.
    assert run.serving()
    assert run.process.poll() is None, run.output()[-4000:]


@pytest.mark.parametrize(
    ("how", "database"),
    [
        pytest.param("SIGTERM", "embedded", id="SIGTERM to bin/ihf"),
        pytest.param("Ctrl-C", "embedded", id="SIGINT to its process group (Ctrl-C)"),
        pytest.param("SIGTERM", "DATABASE_URL", id="SIGTERM, with a DATABASE_URL"),
    ],
)
def test_a_signal_stops_everything_bin_ihf_run_started(ihf_run, pgdata, how, database):
    """Gunicorn with its workers and the procrastinate worker stop, and so does the embedded PostgreSQL when
    bin/ihf started it; a database it was given in DATABASE_URL keeps running."""
    given = _embedded(pgdata, "start") if database == "DATABASE_URL" else None
    run = ihf_run(given)
    started = _session_processes(run.process.pid)
    commands = " ".join(command for _pid, command in started)
    assert "gunicorn" in commands and "procrastinate worker" in commands, started
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])

    if how == "SIGTERM":
        run.process.send_signal(signal.SIGTERM)
    else:
        os.killpg(run.process.pid, signal.SIGINT)
    assert run.process.wait(timeout=90) == {"SIGTERM": 143, "Ctrl-C": 130}[how], run.output()[-4000:]

    _wait_until(lambda: not _session_processes(run.process.pid), 30, "every process of bin/ihf run gone", run)
    assert not run.serving()
    if given:
        assert _alive(postmaster), "bin/ihf stopped a PostgreSQL it did not start"
        assert "stopping the embedded PostgreSQL" not in run.output()
    else:
        _wait_until(lambda: not _alive(postmaster), 30, "the embedded PostgreSQL stopped", run)
        assert not (pgdata / "postmaster.pid").exists()
        assert "stopping the embedded PostgreSQL" in run.output()
