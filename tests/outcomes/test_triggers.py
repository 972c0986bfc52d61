"""Immutability, append-only history and lineage enrichment, enforced by PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from feedback.models import RequirementCandidate
from governance.models import DecisionRecord
from outcomes.models import DeploymentRecord, OutcomeSignal, RemediationEvent
from tests.chain import (
    accepted_candidate,
    decision_for,
    deployment_for,
    full_chain,
    requirement_for,
    signal_for,
)
from tests.factories import WidgetFactory


def _refused(sql, params, message):
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert excinfo.value.__cause__.sqlstate == "P0001"
    assert message in str(excinfo.value)


@pytest.mark.django_db
def test_decisions_are_never_edited_or_deleted_but_their_summary_moves(people):
    _c, _r, decision, _d, _s = full_chain(people.hub)
    _refused("UPDATE decision_records SET title = 'x' WHERE id = %s", [decision.pk], "never edited")
    _refused("UPDATE decision_records SET outcome = 'rejected' WHERE id = %s", [decision.pk], "never edited")
    _refused("DELETE FROM decision_records WHERE id = %s", [decision.pk], "never deleted")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE decision_records SET outcome_summary = NULL WHERE id = %s", [decision.pk])
    stored = DecisionRecord.objects.get(pk=decision.pk)
    assert (stored.title, stored.outcome, stored.outcome_summary) == ("Decide", "approved", None)


@pytest.mark.django_db
def test_deployments_are_immutable_and_their_status_history_append_only(people):
    _c, _r, _dec, deployment, _s = full_chain(people.hub)
    _refused("UPDATE deployment_records SET version_ref = 'v9' WHERE id = %s", [deployment.pk], "immutable")
    _refused("DELETE FROM deployment_records WHERE id = %s", [deployment.pk], "immutable")
    event = RemediationEvent.objects.get(deployment=deployment)
    _refused("UPDATE remediation_events SET status = 'failed' WHERE event_id = %s", [event.pk], "append-only")
    _refused("DELETE FROM remediation_events WHERE event_id = %s", [event.pk], "append-only")
    assert DeploymentRecord.objects.get(pk=deployment.pk).version_ref == "v1"
    assert RemediationEvent.objects.get(pk=event.pk).status == "success"


@pytest.mark.django_db
def test_outcome_signals_are_append_only_with_the_seed_names(people):
    *_rest, signal = full_chain(people.hub)
    _refused(
        "UPDATE outcome_signals SET signal_type = 'regressed' WHERE id = %s",
        [signal.pk],
        "outcome_signals is append-only",
    )
    _refused("DELETE FROM outcome_signals WHERE id = %s", [signal.pk], "outcome_signals is append-only")
    with pytest.raises(DatabaseError), transaction.atomic():
        OutcomeSignal.objects.filter(pk=signal.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'outcome_signals'::regclass AND NOT tgisinternal"
        )
        triggers = {row[0] for row in cursor.fetchall()}
    assert {"outcome_signals_no_update", "outcome_signals_no_delete", "trg_enrich_lineage"} <= triggers


@pytest.mark.django_db
def test_a_bad_signal_type_is_refused_by_the_check(people):
    *_rest, deployment, signal = full_chain(people.hub)
    with pytest.raises(DatabaseError), transaction.atomic():
        OutcomeSignal.objects.create(deployment=deployment, widget=signal.widget, signal_type="great")


@pytest.mark.django_db
def test_the_trigger_keeps_decision_and_candidate_summaries_current(people):
    candidate, _r, decision, deployment, first = full_chain(people.hub)
    second_deployment = deployment_for(decision, version="v2")
    last = signal_for(second_deployment, candidate.source_widget, "regressed")
    summary = DecisionRecord.objects.get(pk=decision.pk).outcome_summary
    assert summary["signals"] == 2
    assert summary["counts"] == {"improved": 1, "regressed": 1, "neutral": 0, "inconclusive": 0}
    assert summary["last_signal_type"] == "regressed"
    assert summary["deployments_observed"] == 2
    assert summary["last_signal_at"].startswith(last.observed_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert RequirementCandidate.objects.get(pk=candidate.pk).outcome_summary == summary
    assert first.deployment_id == deployment.pk


@pytest.mark.django_db
def test_a_candidate_summary_spans_all_its_decisions(people):
    candidate = accepted_candidate(people.hub)
    requirement = requirement_for(candidate)
    on_requirement = decision_for(people.hub, requirement=requirement)
    on_candidate = decision_for(people.hub, candidate=candidate)
    signal_for(deployment_for(on_requirement), candidate.source_widget, "improved")
    signal_for(deployment_for(on_candidate), candidate.source_widget, "neutral")
    summary = RequirementCandidate.objects.get(pk=candidate.pk).outcome_summary
    assert (summary["signals"], summary["deployments_observed"]) == (2, 2)


def _summaries():
    return (
        dict(DecisionRecord.objects.values_list("pk", "outcome_summary")),
        dict(RequirementCandidate.objects.values_list("pk", "outcome_summary")),
    )


@pytest.mark.django_db
def test_the_batch_backfill_gives_what_the_trigger_gave(people):
    for signal_type in ["improved", "regressed", "neutral"]:
        candidate, _r, _decision, deployment, _s = full_chain(people.hub, signal_type=signal_type)
        signal_for(deployment, candidate.source_widget, "inconclusive")
        decision_for(people.hub, candidate=candidate)  # a decision with no deployment: no summary
    accepted_candidate(people.hub)  # a candidate with no decision: no summary
    candidate = accepted_candidate(people.hub)
    requirement = requirement_for(candidate)
    signal_for(
        deployment_for(decision_for(people.hub, requirement=requirement)), WidgetFactory(hub=people.hub)
    )
    signal_for(
        deployment_for(decision_for(people.hub, candidate=candidate)), candidate.source_widget, "improved"
    )
    by_trigger = _summaries()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE decision_records SET outcome_summary = '{\"stale\": true}'")
        cursor.execute("UPDATE requirement_candidates SET outcome_summary = NULL")
        cursor.execute("SELECT enrich_lineage_on_outcome_batch()")
        updated = cursor.fetchone()[0]
    assert _summaries() == by_trigger
    assert updated > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT enrich_lineage_on_outcome_batch()")
        assert cursor.fetchone()[0] == 0  # nothing left to change
