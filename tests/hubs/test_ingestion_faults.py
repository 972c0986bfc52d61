"""Exactly once under faults: bench/faults.py, small, in the test suite.

The benchmark (`bin/ihf bench faults`) starts its own embedded PostgreSQL in a temporary folder and gunicorn
on a free port, sends events with client ids from clients that retry as the reporter does, crashes and stops
the database under them and kills the gunicorn worker serving a batch; it exits non-zero when an event is
lost or doubled, when ingestion does not recover, or when the rollup misses an event. Here with fewer events
and a shorter outage, to stay within a minute.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_no_event_is_lost_or_doubled_while_the_database_crashes_and_a_worker_is_killed():
    env = {
        **os.environ,
        "BENCH_EVENTS": "1500",
        "BENCH_SCENARIOS": "restart-immediate,outage-immediate,kill-worker",
        "BENCH_OUTAGE_SECONDS": "2",
    }
    result = subprocess.run(
        [sys.executable, "bench/faults.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "bar (0 lost, 0 doubled, recovered): met" in result.stdout
    for scenario in ("restart-immediate", "outage-immediate", "kill-worker"):
        row = next(line for line in result.stdout.splitlines() if line.startswith(scenario))
        lost, doubled = row.split()[1:3]
        assert (lost, doubled) == ("0", "0"), row
