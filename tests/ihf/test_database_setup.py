"""Both database paths: DATABASE_URL when set, the embedded PostgreSQL (pgserver) otherwise."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from ihf import embedded_db

ROOT = Path(__file__).resolve().parents[2]


def test_the_test_run_uses_database_url():
    url = os.environ.get("DATABASE_URL")
    assert url, "bin/ihf always sets DATABASE_URL (the machine's PostgreSQL or the embedded one)"
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _embedded(command, pgdata):
    """Run `python -m ihf.embedded_db COMMAND` the way bin/ihf does, in its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "ihf.embedded_db", command],
        cwd=ROOT,
        env={**os.environ, "IHF_PGDATA": str(pgdata)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.slow
def test_the_embedded_server_starts_serves_and_stops(tmp_path):
    # pgserver drops privileges to a system user when run as root: the folder must be reachable for it.
    tmp_path.chmod(0o755)
    pgdata = tmp_path / "pgdata"
    url = _embedded("start", pgdata).replace("/ihf", "/ihf_embedded_test")
    try:
        assert embedded_db.ensure_database(url) is True
        assert embedded_db.ensure_database(url) is False
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("ihf_embedded_test",)
            conn.execute("CREATE TABLE t (x int)")
    finally:
        _embedded("stop", pgdata)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    # The data survives a restart.
    url = _embedded("start", pgdata).replace("/ihf", "/ihf_embedded_test")
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT to_regclass('t') IS NOT NULL").fetchone() == (True,)
    finally:
        _embedded("stop", pgdata)


@pytest.mark.slow
def test_settings_start_the_embedded_server_when_database_url_is_unset(tmp_path):
    """A fresh process with no DATABASE_URL gets its database from pgserver in .pgdata/."""
    tmp_path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="wiring.settings", IHF_PGDATA=str(tmp_path / "pgdata"))
    script = (
        "import django; django.setup();"
        "from django.db import connection; from django.conf import settings;"
        "print(settings.DATABASES['default']['HOST']);"
        "print(connection.cursor().connection.execute('select current_database()').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    host, database = result.stdout.split()[-2:]
    assert host.startswith("/")  # a socket directory
    assert database == "ihf"
    # The process was the server's only user, so the server stopped with it.
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()


def test_outside_debug_settings_require_database_url_and_start_no_server(tmp_path):
    """Production must name its database: importing the settings there never starts an embedded one."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="wiring.settings", SECRET_KEY="x" * 50, IHF_PGDATA=str(tmp_path / "pgdata")
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL: required outside DEBUG" in result.stderr
    assert not (tmp_path / "pgdata").exists()


def _tools(tmp_path):
    """A PATH holding only the few tools bin/ihf needs besides Python, so no system Python leaks in."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    for tool in ["sort", "ls", "dirname", "cat", "sha256sum", "cut", "id"]:
        if not (tools / tool).exists():
            (tools / tool).symlink_to(shutil.which(tool))
    return [str(tools)]


def _run_finder(path_dirs, pyenv_root):
    env = {"PATH": ":".join(path_dirs), "PYENV_ROOT": str(pyenv_root), "HOME": str(pyenv_root)}
    return subprocess.run(
        ["/bin/bash", "-c", f"source {ROOT / 'bin/ihf'}; find_python"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_set_up_finds_python_on_path_or_under_pyenv(tmp_path):
    coreutils = _tools(tmp_path)
    fake_pyenv = tmp_path / "pyenv"
    (fake_pyenv / "versions" / "3.12.9" / "bin").mkdir(parents=True)
    (fake_pyenv / "versions" / "3.12.9" / "bin" / "python").symlink_to(sys.executable)
    (fake_pyenv / "versions" / "3.11.1" / "bin").mkdir(parents=True)

    found = _run_finder(coreutils, fake_pyenv)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(fake_pyenv / "versions" / "3.12.9" / "bin" / "python")

    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "python3.12").symlink_to(sys.executable)
    found = _run_finder([str(on_path), *coreutils], fake_pyenv)
    assert found.stdout.strip() == str(on_path / "python3.12")


def test_the_set_up_says_what_to_install_when_no_python_fits(tmp_path):
    coreutils = _tools(tmp_path)
    result = subprocess.run(
        ["/bin/bash", str(ROOT / "bin/ihf"), "test"],
        env={
            "PATH": ":".join(coreutils),
            "PYENV_ROOT": str(tmp_path),
            "HOME": str(tmp_path),
            "IHF_VENV": str(tmp_path / "venv"),
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "IHF needs Python >= 3.12" in result.stderr
    assert "pyenv install 3.12" in result.stderr


def test_statements_are_prepared_after_the_configured_number_of_runs():
    assert settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] == 5
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True


@pytest.mark.parametrize(
    ("value", "threshold"), [("5", 5), ("0", 0), (" 12 ", 12), ("off", None), ("OFF", None)]
)
def test_db_prepare_threshold_reads_a_count_or_off(value, threshold):
    from wiring.settings import _prepare_threshold

    assert _prepare_threshold(value) == threshold


@pytest.mark.parametrize("value", ["often", "-1", "2.5"])
def test_a_bad_db_prepare_threshold_is_refused_by_name(value):
    from django.core.exceptions import ImproperlyConfigured

    from wiring.settings import _prepare_threshold

    with pytest.raises(ImproperlyConfigured, match="DB_PREPARE_THRESHOLD"):
        _prepare_threshold(value)
