"""The migrated database keeps the seeds' names and its history (DESIGN.md, invariants 1, 2 and 11).

The seeds (../shared/seeds, beside the repository) are the specification: the names of their tables,
triggers and functions are a contract, and seed 002's append-only contract says its architecture test
"verifies these trigger names are present in the schema". These tests read the names from the seed files
themselves and look for each in the test database, which pytest-django builds by running every migration.

History tables refuse UPDATE, DELETE and TRUNCATE with SQLSTATE P0001, which reaches Python as the
`__cause__` of Django's DatabaseError.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from feedback.models import TriageState
from observability.models import HubHealthSnapshot
from tests.architecture.project import project_tables
from tests.chain import full_chain
from tests.factories import AnnotationFactory, EventFactory
from tests.learning.history import learning_rows

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"

# Seed names whose phase is not built yet, with what will build them. The test fails when one of these
# turns up in the database, so that the entry goes once the work lands.
NOT_YET_BUILT = {
    # IHF's deployment_records play its part: user_feedback.deployment_id stands for its project_outcome_id.
    "project_outcomes": "issue #18, seed 004: not built; deployments stand for it",
}

# Where each kind of name is found in PostgreSQL's catalogs (pg_class.relkind for relations).
RELKINDS = {"table": ("r", "p"), "view": ("v", "m"), "materialized view": ("m",)}

SQL_PATTERNS = {
    "function": re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(\w+)", re.IGNORECASE),
    # The lookahead skips prose such as seed 003's "Idempotent (CREATE TABLE IF NOT EXISTS)".
    "table": re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?!IF\s+NOT\b)(\w+)", re.IGNORECASE),
    "view": re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(\w+)", re.IGNORECASE),
    "materialized view": re.compile(
        r"\bCREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?!IF\s+NOT\b)(\w+)", re.IGNORECASE
    ),
}
CREATE_TRIGGER = re.compile(
    r"\bCREATE\s+TRIGGER\s+(\w+)\s+(?:BEFORE|AFTER|INSTEAD\s+OF)\b.*?\bON\s+(\w+)", re.IGNORECASE | re.DOTALL
)
# Seed 002 is a commit message and a contract in prose; these are the places where it names objects.
# Its append-only contract's table ("Table | Trigger (no update) | Trigger (no delete)"), one cell per
# line in the stored copy.
CONTRACT_TABLE_HEADER = re.compile(
    r"\|\s*Table\s*\|\s*Trigger \(no update\)\s*\|\s*Trigger \(no delete\)\s*\|"
)
# "AFTER INSERT trigger trg_enrich_lineage on outcome_signals"
PROSE_TRIGGER = re.compile(r"\b(?:BEFORE|AFTER)\s+[A-Z ]+?\s+trigger\s+(\w+)\s+on\s+(\w+)")
# "enrich_lineage_on_outcome_batch() PL/pgSQL helper", and the functions the contract's
# "Implementation Reference" names.
PROSE_FUNCTION = re.compile(r"\b([a-z_][a-z0-9_]*)\(\)\s*PL/pgSQL")
REFERENCE_SECTION = re.compile(r"Implementation Reference(.*?)LayerBoundarySpec", re.DOTALL)
REFERENCED_FUNCTION = re.compile(r"\b([a-z_][a-z0-9_]*)\(\)")
# The phase 12 schema list: "Schema (T01):" then "- outcome_correlations (CHECK correlation_type)" …
SCHEMA_LIST = re.compile(r"^Schema \(T01\):\n((?:- .*\n)+)", re.MULTILINE)
SCHEMA_LIST_TABLE = re.compile(r"- ([a-z][a-z0-9_]*)(?: \(.*\))?")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True, order=True)
class SeedName:
    kind: str  # "function", "trigger", "table", "view" or "materialized view"
    name: str
    table: str = ""  # a trigger's table
    seed: str = ""

    def __str__(self):
        where = f" on {self.table}" if self.table else ""
        return f"{self.kind} {self.name}{where} (seed {self.seed})"


def _contract_table(text: str) -> list[tuple[str, str, str]]:
    """Seed 002's (table, no-update trigger, no-delete trigger) rows."""
    header = CONTRACT_TABLE_HEADER.search(text)
    if not header:
        return []
    cells = []
    for line in text[header.end() :].splitlines():
        stripped = line.strip().strip("|").strip()
        if not stripped or set(stripped) <= set("-| "):
            continue  # the line break after the header, and the separator row
        row = [cell.strip(" `") for cell in line.strip().strip("|").split("|")]
        if not all(IDENTIFIER.fullmatch(cell) for cell in row):
            break
        cells.extend(row)
    assert cells and len(cells) % 3 == 0, f"seed 002's append-only contract table did not parse: {cells}"
    return [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]


def _names_in(seed: Path) -> set[SeedName]:
    text, label = seed.read_text(), seed.name.split("_")[0]
    names = {
        SeedName(kind, match, seed=label)
        for kind, pattern in SQL_PATTERNS.items()
        for match in pattern.findall(text)
    }
    triggers = CREATE_TRIGGER.findall(text) + PROSE_TRIGGER.findall(text)
    for table, no_update, no_delete in _contract_table(text):
        triggers += [(no_update, table), (no_delete, table)]
    names |= {SeedName("trigger", trigger, table, label) for trigger, table in triggers}
    functions = PROSE_FUNCTION.findall(text)
    for section in REFERENCE_SECTION.findall(text):
        functions += REFERENCED_FUNCTION.findall(section)
    names |= {SeedName("function", function, seed=label) for function in functions}
    for listing in SCHEMA_LIST.findall(text):
        for line in listing.splitlines():
            if match := SCHEMA_LIST_TABLE.fullmatch(line):
                names.add(SeedName("table", match[1], seed=label))
    return names


def _seed_names() -> list[SeedName]:
    if not SEEDS.is_dir():
        pytest.skip(f"the seeds are not at {SEEDS}: CI lays shared/ beside the repository checkout")
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip(f"{SEEDS} holds no seed files (*.txt)")
    # One entry per (kind, name, table): the same trigger in seeds 000, 001 and 002 is one requirement.
    first = {}
    for seed in seeds:
        for name in sorted(_names_in(seed)):
            first.setdefault((name.kind, name.name, name.table), name)
    return sorted(first.values())


def _present(name: SeedName) -> bool:
    with connection.cursor() as cursor:
        if name.kind == "function":
            cursor.execute(
                "SELECT EXISTS (SELECT FROM pg_proc "
                "WHERE proname = %s AND pronamespace = current_schema()::regnamespace)",
                [name.name],
            )
        elif name.kind == "trigger":
            cursor.execute(
                "SELECT EXISTS (SELECT FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname = %s AND c.relname = %s "
                "AND c.relnamespace = current_schema()::regnamespace)",
                [name.name, name.table],
            )
        else:
            cursor.execute(
                "SELECT EXISTS (SELECT FROM pg_class WHERE relname = %s AND relkind = ANY(%s) "
                "AND relnamespace = current_schema()::regnamespace)",
                [name.name, list(RELKINDS[name.kind])],
            )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_database_has_every_function_trigger_and_table_the_seeds_name():
    names = _seed_names()
    missing = [name for name in names if name.name not in NOT_YET_BUILT and not _present(name)]
    assert not missing, (
        "The seeds name these, and the migrated database does not have them:\n  "
        + "\n  ".join(map(str, missing))
        + "\nAdd each under this exact name: a trigger or function in a new sql/NAME.sql + NAME.down.sql "
        "applied by a new migration (sql/README.md), a table as a model with db_table = the seed's name. "
        "Or, if its phase is not built yet, add it to NOT_YET_BUILT in this file with what will build it."
    )


@pytest.mark.django_db
def test_not_yet_built_lists_only_seed_names_still_missing():
    names = _seed_names()
    unknown = sorted(set(NOT_YET_BUILT) - {name.name for name in names})
    assert not unknown, f"NOT_YET_BUILT lists names no seed has (a typo?): {', '.join(unknown)}"
    built = [str(name) for name in names if name.name in NOT_YET_BUILT and _present(name)]
    assert not built, (
        "These are in NOT_YET_BUILT but the database has them now:\n  "
        + "\n  ".join(built)
        + "\nThe work has landed: remove them from NOT_YET_BUILT, so that the test guards them from now on."
    )


def test_the_seed_parser_finds_the_append_only_contract():
    """A seed reformatted past what the patterns read would make the tests above pass on nothing."""
    names = {(name.kind, name.name, name.table) for name in _seed_names()}
    contract = [
        ("trigger", f"{table}_no_{op}", table)
        for table in ("interaction_events", "outcome_signals")
        for op in ("update", "delete")
    ]
    contract += [
        ("trigger", "trg_enrich_lineage", "outcome_signals"),
        ("function", "prevent_interaction_event_mutation", ""),
        ("function", "prevent_outcome_signal_mutation", ""),
        ("function", "enrich_lineage_on_outcome", ""),
        ("function", "enrich_lineage_on_outcome_batch", ""),
        ("table", "learning_insights", ""),
        ("materialized view", "pattern_analytics", ""),
    ]
    assert [entry for entry in contract if entry not in names] == []


# Every history table, with an UPDATE its guard refuses. Annotations may still be retracted once and moved
# between threads, and decision_records.outcome_summary follows new outcome signals
# (sql/annotations_guard.sql, sql/decision_records_guard.sql): their UPDATE changes a column no rule frees.
HISTORY_TABLES = {
    "interaction_events": "event_type = 'viewed'",
    "annotations": "body = body || ' (edited)'",
    "triage_states": "status = 'accepted'",
    "decision_records": "title = title || ' (edited)'",
    "deployment_records": "version_ref = 'v9'",
    "remediation_events": "status = 'failed'",
    "outcome_signals": "signal_type = 'regressed'",
    "hub_health_snapshots": "health_score = 1",
    "widget_versions": "version = version + 100",
    "outcome_correlations": "signals = 0",
    "pattern_performance_records": "successes = 0",
    "adaptive_threshold_configs": "new_values = '{}'",
    "learning_insights": "statement = 'x'",
    "agent_proposals": "content = content || ' (edited)'",
    "agent_review_records": "notes = 'edited'",
    "confidence_annotations": "score = 0.5",
    "ai_call_log": "latency_ms = 1",
    "annotation_categorisations": "category = 'bug'",
}
TRUNCATE_REFUSED = "is a history table: TRUNCATE is not permitted"
TRUNCATE_GUARD = "prevent_history_truncate"
BEFORE_THE_TRUNCATE_MIGRATION = ("observability", "0002_observability_sql")

# pg_trigger.tgtype bits
BEFORE, DELETE, UPDATE, TRUNCATE = 2, 8, 16, 32


@pytest.fixture
def history_rows(people):
    """A row in every history table."""
    candidate, _requirement, _decision, _deployment, _signal = full_chain(people.hub, people.steward)
    EventFactory(widget=candidate.source_widget)
    AnnotationFactory(widget=candidate.source_widget)
    TriageState.objects.create(candidate=candidate, status="open", changed_by=people.steward)
    HubHealthSnapshot.objects.create(hub=people.hub, health_score=90)
    learning_rows(people.hub)
    _assist_rows(people, candidate)
    # The test's transaction holds the deferred foreign-key checks of these inserts, and PostgreSQL refuses
    # to TRUNCATE a table with pending ones (55006) before any trigger could: run them now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    counts = _row_counts()
    assert all(counts.values()), counts
    return counts


def _assist_rows(people, candidate):
    from assist.models import AgentReviewRecord, AiCall, AnnotationCategorisation
    from assist.proposers.common import create

    proposal = create(
        proposal_type="summary",
        hub_id=people.hub.pk,
        content="A summary",
        model_ref="test",
        confidence=0.5,
        notes={"accuracy": (0.9, "quoted")},
        source_candidate=candidate,
    )
    AgentReviewRecord.objects.create(proposal=proposal, reviewer=people.steward, decision="rejected")
    AiCall.objects.create(
        task="summary", model_ref="test", latency_ms=5, status="ok", input_size=1, output_size=1
    )
    annotation = AnnotationFactory(widget=candidate.source_widget, category="general")
    AnnotationCategorisation.objects.create(
        annotation=annotation, category="general", confidence=0.2, fallback=True, model_ref="test"
    )


def _row_counts(tables=tuple(HISTORY_TABLES)) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT '{table}', count(*) FROM {table}" for table in tables))
        return dict(cursor.fetchall())


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert excinfo.value.__cause__.sqlstate == "P0001", f"{sql}: {excinfo.value}"
    return str(excinfo.value)


# BEFORE UPDATE triggers that fill a column in rather than refuse the statement.
MAINTAINING = ["candidate_hub_from_widget", "candidate_worst_severity_fill"]


def _triggered_tables(events: int, function: str | None = None) -> set[str]:
    """Tables with a BEFORE trigger firing on any of `events` (tgtype bits), optionally running `function`;
    the MAINTAINING functions' triggers left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
            "AND t.tgtype & %s <> 0 AND t.tgtype & %s <> 0 AND (%s::text IS NULL OR p.proname = %s) "
            "AND p.proname <> ALL(%s)",
            [BEFORE, events, function, function, MAINTAINING],
        )
        return {table for (table,) in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("table", HISTORY_TABLES)
def test_history_tables_refuse_update_delete_and_truncate(table, history_rows):
    _refused(f"UPDATE {table} SET {HISTORY_TABLES[table]}")
    _refused(f"DELETE FROM {table}")
    # CASCADE: without it, a TRUNCATE of a table that others reference stops at the foreign-key check before
    # any trigger fires; with it, the statement would otherwise go through.
    assert f"{table} {TRUNCATE_REFUSED}" in _refused(f"TRUNCATE {table} CASCADE")
    assert _row_counts() == history_rows


@pytest.mark.django_db
def test_a_truncate_cascading_into_history_tables_is_refused(history_rows):
    widgets = _row_counts(["widgets"])
    assert TRUNCATE_REFUSED in _refused("TRUNCATE widgets CASCADE")
    assert _row_counts() == history_rows
    assert _row_counts(["widgets"]) == widgets


@pytest.mark.django_db
def test_every_table_that_refuses_update_or_delete_is_a_history_table():
    # IHF's own tables only: procrastinate_jobs has a BEFORE DELETE trigger of procrastinate's that guards
    # nothing.
    guarded = _triggered_tables(UPDATE | DELETE) & project_tables()
    assert not guarded - set(HISTORY_TABLES), (
        f"{', '.join(sorted(guarded - set(HISTORY_TABLES)))} refuse UPDATE or DELETE but are not in "
        "HISTORY_TABLES. Every table that refuses UPDATE/DELETE is a history table and must refuse TRUNCATE "
        f"too: give it a BEFORE TRUNCATE trigger running {TRUNCATE_GUARD}() in a new sql/ file and migration "
        "(sql/README.md), and add it to HISTORY_TABLES."
    )
    assert _triggered_tables(TRUNCATE, TRUNCATE_GUARD) == set(HISTORY_TABLES)


@pytest.mark.django_db(transaction=True)
def test_the_truncate_guards_migrate_back_and_forward():
    try:
        call_command("migrate", *BEFORE_THE_TRUNCATE_MIGRATION, verbosity=0)
        assert _triggered_tables(TRUNCATE) & project_tables() == set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regproc(%s)", [TRUNCATE_GUARD])
            assert cursor.fetchone() == (None,)
            cursor.execute("TRUNCATE interaction_events, hub_health_snapshots")
    finally:
        # Forward to the latest migrations, not just the guards': later tests need the whole schema.
        call_command("migrate", verbosity=0)
    assert _triggered_tables(TRUNCATE, TRUNCATE_GUARD) == set(HISTORY_TABLES)
    _refused("TRUNCATE interaction_events")
