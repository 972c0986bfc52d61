"""The statement-level trg_enrich_lineage folds each statement's signals into the stored summaries
(sql/lineage_enrichment_learning.sql); enrich_lineage_on_outcome_batch() recomputes them from the whole
history. Whatever order and grouping the signals arrive in, both must give the same summaries."""

import random
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback.models import RequirementCandidate
from governance.models import DecisionRecord
from outcomes.models import OutcomeSignal
from tests.chain import accepted_candidate, decision_for, deployment_for, requirement_for

TYPES = ["improved", "regressed", "neutral", "inconclusive"]


def _summaries():
    return (
        dict(DecisionRecord.objects.values_list("pk", "outcome_summary")),
        dict(RequirementCandidate.objects.values_list("pk", "outcome_summary")),
    )


class _Recomputed(Exception):
    """Carries the recomputed summaries out of the savepoint it rolls back."""

    def __init__(self, summaries):
        self.summaries = summaries


def _recomputed():
    """The summaries as the recompute gives them, leaving the stored ones as they were."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE decision_records SET outcome_summary = NULL")
            cursor.execute("UPDATE requirement_candidates SET outcome_summary = NULL")
            cursor.execute("SELECT enrich_lineage_on_outcome_batch()")
            raise _Recomputed(_summaries())
    except _Recomputed as recomputed:
        return recomputed.summaries


def _lineage(hub):
    """Two candidates: one with decisions on itself and on its requirement, one through a requirement only;
    each decision with two deployments."""
    deployments = []
    for _ in range(2):
        candidate = accepted_candidate(hub)
        requirement = requirement_for(candidate)
        decisions = [decision_for(hub, requirement=requirement), decision_for(hub, candidate=candidate)]
        for decision in decisions:
            deployments += [(deployment_for(decision, version=v), candidate.source_widget) for v in "ab"]
    return deployments


def _insert(rows):
    """One INSERT statement for all `rows` (deployment, widget, signal_type, observed_at)."""
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [p for d, w, t, at in rows for p in (d.pk, w.pk, t, at)]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outcome_signals (deployment_id, widget_id, signal_type, observed_at) "
            f"VALUES {values}",
            params,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_folded_summaries_equal_the_recompute_for_any_grouping(people, seed):
    rng = random.Random(seed)
    deployments = _lineage(people.hub)
    start = timezone.now() - timedelta(days=30)
    # Few distinct instants, so that many signals tie on observed_at, within a statement and across them.
    instants = [start + timedelta(hours=rng.randrange(6)) for _ in range(40)]
    rows = [(*rng.choice(deployments), rng.choice(TYPES), instant) for instant in instants]
    while rows:
        size = rng.choice([1, 1, 2, 5, 9])
        _insert(rows[:size])
        rows = rows[size:]
    assert _summaries() == _recomputed()
    decisions, candidates = _summaries()
    assert sum(s["signals"] for s in decisions.values() if s) == 40
    assert sum(s["signals"] for s in candidates.values() if s) == 40


@pytest.mark.django_db
def test_a_later_statement_at_the_same_instant_is_ordered_by_id(people):
    """Statements in one transaction share now(): the last signal is then the one with the greatest id."""
    (deployment, widget), *_rest = _lineage(people.hub)
    for signal_type in ["improved", "regressed", "neutral", "improved", "inconclusive"]:
        OutcomeSignal.objects.create(deployment=deployment, widget=widget, signal_type=signal_type)
    summary = DecisionRecord.objects.get(pk=deployment.decision_id).outcome_summary
    last = OutcomeSignal.objects.filter(deployment=deployment).order_by("-id").first()
    assert summary["last_signal_type"] == last.signal_type
    assert summary["signals"] == 5
    assert summary["deployments_observed"] == 1
    assert _summaries() == _recomputed()


@pytest.mark.django_db
def test_an_insert_of_no_rows_changes_nothing(people):
    _lineage(people.hub)
    before = _summaries()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outcome_signals (deployment_id, widget_id, signal_type) "
            "SELECT NULL, NULL, 'x' WHERE false"
        )
    assert _summaries() == before


@pytest.mark.django_db
def test_the_trigger_is_a_statement_trigger_with_a_transition_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgtype & 1, tgnewtable FROM pg_trigger"
            " WHERE tgrelid = 'outcome_signals'::regclass AND tgname = 'trg_enrich_lineage'"
        )
        assert cursor.fetchone() == (0, "new_signals")  # bit 1 clear: FOR EACH STATEMENT
