"""bin/ihf run's supervision, with stand-ins for gunicorn and the worker (no database, a few seconds).

`cmd_run` runs from the sourced script with VENV pointing at a fake venv whose `python` answers the set-up
commands at once and, for gunicorn and the worker, sleeps; a worker lives as many seconds as the file
`worker-life` says. tests/ihf/test_run_command.py does the same with the real processes and a database.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/bin/bash
case "$*" in
  *gunicorn*) echo "web $$" >> "$FAKE/started"; exec sleep 1000 ;;
  *"procrastinate worker"*) echo "worker $$" >> "$FAKE/started"; exec sleep "$(cat "$FAKE/worker-life")" ;;
  *) exit 0 ;;
esac
"""


class FakeRun:
    def __init__(self, folder: Path, worker_life: float):
        self.folder = folder
        (folder / "bin").mkdir()
        python = folder / "bin" / "python"
        python.write_text(FAKE_PYTHON)
        python.chmod(0o755)
        self.set_worker_life(worker_life)
        self.log = folder / "output"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["/bin/bash", "-c", f"source bin/ihf; VENV={folder}; cmd_run"],
                cwd=ROOT,
                env={**os.environ, "FAKE": str(folder), "IHF_PORT": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def set_worker_life(self, seconds: float) -> None:
        (self.folder / "worker-life").write_text(str(seconds))

    def started(self, kind: str) -> list[int]:
        path = self.folder / "started"
        lines = path.read_text().splitlines() if path.exists() else []
        return [int(line.split()[1]) for line in lines if line.startswith(kind)]

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, predicate, what: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        pytest.fail(f"{what}: not within {timeout} s\n{self.output()}")

    def left(self) -> list[int]:
        """The processes of the run's session still alive (zombies aside)."""
        alive = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except (FileNotFoundError, ProcessLookupError):
                    continue
                if int(fields[3]) == self.process.pid and fields[0] != "Z":
                    alive.append(int(entry.name))
        return alive

    def kill_all(self) -> None:
        for pid in self.left():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def fake_run(tmp_path):
    runs = []

    def start(worker_life: float) -> FakeRun:
        runs.append(FakeRun(tmp_path, worker_life))
        return runs[-1]

    yield start
    for run in runs:
        run.kill_all()


def test_a_stopped_worker_is_started_again_with_a_growing_pause(fake_run):
    run = fake_run(worker_life=0.2)
    run.wait_for(lambda: len(run.started("worker")) >= 3, "three worker starts")
    run.set_worker_life(1000)
    assert "the worker stopped (exit status 0): starting it again in 1 s" in run.output()
    assert "the worker stopped (exit status 0): starting it again in 2 s" in run.output()
    assert run.process.poll() is None
    assert len(run.started("web")) == 1  # gunicorn was left alone


def test_gunicorn_stopping_ends_the_command_and_stops_the_worker(fake_run):
    run = fake_run(worker_life=1000)
    run.wait_for(lambda: run.started("web") and run.started("worker"), "gunicorn and the worker started")
    os.kill(run.started("web")[0], signal.SIGTERM)
    assert run.process.wait(timeout=30) == 143  # gunicorn's own exit status
    assert "gunicorn stopped (exit status 143): stopping" in run.output()
    assert run.left() == []


@pytest.mark.parametrize(
    "worker_life", [1000, 0.2], ids=["while the worker runs", "while it waits to restart"]
)
def test_sigterm_stops_everything(fake_run, worker_life):
    run = fake_run(worker_life)
    run.wait_for(lambda: run.started("web") and run.started("worker"), "gunicorn and the worker started")
    if worker_life < 1:
        run.wait_for(lambda: "starting it again in" in run.output(), "the worker stopped")
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=30) == 143
    assert run.left() == []
    assert "stopping gunicorn and the worker" in run.output()
