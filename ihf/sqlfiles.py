"""Raw SQL kept in `sql/`, applied by migrations.

`sql/NAME.sql` holds the forward statements and `sql/NAME.down.sql` the reverse, so every migration that
uses `run_sql_file("NAME")` can be unapplied.
"""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text()


def run_sql_file(name: str) -> migrations.RunSQL:
    return migrations.RunSQL(read_sql(f"{name}.sql"), read_sql(f"{name}.down.sql"))
