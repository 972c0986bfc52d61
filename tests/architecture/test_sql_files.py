"""Applied SQL never changes silently.

Migrations read the *current* file in `sql/` (ihf.sqlfiles), so an edit to a file an existing migration
applies rewrites history: databases migrated before the edit keep the old statements, new ones get the new
ones, and nothing says so. sql/CHECKSUMS pins every file's sha256; sql/README.md says how to change SQL.
"""

import ast
import hashlib
import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings

from ihf.sqlfiles import SQL_DIR
from tests.architecture.project import project_apps

CHECKSUMS = SQL_DIR / "CHECKSUMS"
CHECKSUM_LINE = re.compile(r"(?P<sha256>[0-9a-f]{64}) [ *](?P<name>[^/\s]+\.sql)")
# The helpers of ihf.sqlfiles that name a file: run_sql_file("NAME") reads NAME.sql and NAME.down.sql,
# read_sql("FILE") reads FILE.
SQL_HELPERS = {"run_sql_file", "read_sql"}


def _sql_files() -> list[str]:
    return sorted(path.name for path in SQL_DIR.glob("*.sql"))


def _migration_references() -> tuple[dict[str, list[str]], list[str]]:
    """{sql file: [migrations that read it]} from the migrations' source, and the calls whose file cannot be
    read off the source (a name that is not a string literal)."""
    files, unreadable = defaultdict(list), []
    for app in project_apps():
        for path in sorted((Path(app.path) / "migrations").glob("[0-9]*.py")):
            migration = f"{app.label}.{path.stem}"
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.Call):
                    continue
                helper = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if helper not in SQL_HELPERS:
                    continue
                argument = node.args[0] if node.args else None
                if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                    unreadable.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
                    continue
                names = (
                    [f"{argument.value}.sql", f"{argument.value}.down.sql"]
                    if helper == "run_sql_file"
                    else [argument.value]
                )
                for name in names:
                    files[name].append(migration)
    return dict(files), unreadable


def _recorded_checksums() -> dict[str, str]:
    recorded, malformed = {}, []
    for number, line in enumerate(CHECKSUMS.read_text().splitlines(), start=1):
        match = CHECKSUM_LINE.fullmatch(line)
        if not match:
            malformed.append(f"line {number}: {line!r}")
        elif match["name"] in recorded:
            malformed.append(f"line {number}: {match['name']} is listed twice")
        else:
            recorded[match["name"]] = match["sha256"]
    assert not malformed, (
        "sql/CHECKSUMS has lines that are not `<sha256>  <file>.sql` (the output of `sha256sum`):\n  "
        + "\n  ".join(malformed)
    )
    return recorded


def test_every_sql_file_is_read_by_a_migration_and_every_file_read_exists():
    references, unreadable = _migration_references()
    assert not unreadable, (
        "These migrations name their sql/ file with something other than a string literal, so no test can "
        "tell which file they apply: " + ", ".join(unreadable)
    )
    unused = [name for name in _sql_files() if name not in references]
    assert not unused, (
        f"No migration applies sql/{', sql/'.join(unused)}. Apply it with run_sql_file() in a new "
        "migration (sql/README.md), or remove it if it was never applied anywhere."
    )
    missing = {name: migrations for name, migrations in references.items() if not (SQL_DIR / name).exists()}
    assert not missing, "Migrations read sql/ files that do not exist: " + "; ".join(
        f"sql/{name} (read by {', '.join(migrations)})" for name, migrations in sorted(missing.items())
    )


def test_every_sql_file_has_a_checksum_and_every_checksum_a_file():
    recorded = _recorded_checksums()
    unlisted = [name for name in _sql_files() if name not in recorded]
    assert not unlisted, (
        f"sql/CHECKSUMS has no line for {', '.join(unlisted)}. Once the file is final, add it: "
        f"`cd sql && sha256sum {' '.join(unlisted)} >> CHECKSUMS`."
    )
    stale = sorted(name for name in recorded if not (SQL_DIR / name).exists())
    assert not stale, (
        f"sql/CHECKSUMS lists {', '.join(stale)}, which no longer exist. A file that a migration applied "
        "stays: the migration reads it whenever a database is built or migrated back."
    )


def test_applied_sql_files_are_unchanged():
    recorded = _recorded_checksums()
    references, _unreadable = _migration_references()
    changed = []
    for name in _sql_files():
        if name not in recorded:
            continue  # reported by the test above
        if hashlib.sha256((SQL_DIR / name).read_bytes()).hexdigest() != recorded[name]:
            migrations = ", ".join(references.get(name, [])) or "none yet"
            changed.append(
                f"sql/{name} was applied by migration(s) {migrations}; a change to applied SQL is a new file "
                "and a new migration, not an edit. If this file was never released, update sql/CHECKSUMS "
                f"(`cd sql && sha256sum {name}` gives its new line)."
            )
    assert not changed, "\n".join(changed)
