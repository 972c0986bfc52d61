-- Lineage enrichment (seed 002): outcome_summary on decision_records and requirement_candidates says what
-- the deployments of a decision (and of all a candidate's decisions) showed:
--   {"signals": 3, "counts": {"improved": 2, "regressed": 1, "neutral": 0, "inconclusive": 0},
--    "last_signal_type": "regressed", "last_signal_at": "…", "deployments_observed": 2}
-- The trigger and the batch backfill both compute it with ihf_outcome_summary(), so they cannot disagree.

-- The summary of the signals in `signals` (rows of outcome_signals), as one JSONB value.
CREATE OR REPLACE FUNCTION ihf_outcome_summary(signals outcome_signals[])
RETURNS jsonb AS $$
    SELECT CASE WHEN count(*) = 0 THEN NULL ELSE jsonb_build_object(
        'signals', count(*),
        'counts', jsonb_build_object(
            'improved', count(*) FILTER (WHERE s.signal_type = 'improved'),
            'regressed', count(*) FILTER (WHERE s.signal_type = 'regressed'),
            'neutral', count(*) FILTER (WHERE s.signal_type = 'neutral'),
            'inconclusive', count(*) FILTER (WHERE s.signal_type = 'inconclusive')),
        'last_signal_type', (array_agg(s.signal_type ORDER BY s.observed_at DESC, s.id DESC))[1],
        'last_signal_at', max(s.observed_at),
        'deployments_observed', count(DISTINCT s.deployment_id))
    END
    FROM unnest(signals) AS s;
$$ LANGUAGE sql STABLE;

-- The candidate a decision belongs to: its own, or its requirement's source candidate.
CREATE OR REPLACE FUNCTION ihf_decision_candidate(p_decision_id uuid)
RETURNS uuid AS $$
    SELECT coalesce(d.candidate_id, r.source_candidate_id)
    FROM decision_records d LEFT JOIN requirements r ON r.id = d.requirement_id
    WHERE d.id = p_decision_id;
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION ihf_refresh_decision_summary(p_decision_id uuid)
RETURNS void AS $$
    UPDATE decision_records SET outcome_summary = (
        SELECT ihf_outcome_summary(coalesce(array_agg(s), '{}'))
        FROM outcome_signals s JOIN deployment_records dep ON dep.id = s.deployment_id
        WHERE dep.decision_id = p_decision_id)
    WHERE id = p_decision_id;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION ihf_refresh_candidate_summary(p_candidate_id uuid)
RETURNS void AS $$
    UPDATE requirement_candidates SET outcome_summary = (
        SELECT ihf_outcome_summary(coalesce(array_agg(s), '{}'))
        FROM outcome_signals s
        JOIN deployment_records dep ON dep.id = s.deployment_id
        JOIN decision_records d ON d.id = dep.decision_id
        LEFT JOIN requirements r ON r.id = d.requirement_id
        WHERE coalesce(d.candidate_id, r.source_candidate_id) = p_candidate_id)
    WHERE id = p_candidate_id;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION enrich_lineage_on_outcome()
RETURNS TRIGGER AS $$
DECLARE
    v_decision_id uuid;
    v_candidate_id uuid;
BEGIN
    SELECT decision_id INTO v_decision_id FROM deployment_records WHERE id = NEW.deployment_id;
    PERFORM ihf_refresh_decision_summary(v_decision_id);
    v_candidate_id := ihf_decision_candidate(v_decision_id);
    IF v_candidate_id IS NOT NULL THEN
        PERFORM ihf_refresh_candidate_summary(v_candidate_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_enrich_lineage
    AFTER INSERT ON outcome_signals
    FOR EACH ROW EXECUTE FUNCTION enrich_lineage_on_outcome();

-- Recompute every summary from the whole history, set-based; returns the number of rows updated.
CREATE OR REPLACE FUNCTION enrich_lineage_on_outcome_batch()
RETURNS integer AS $$
DECLARE
    v_decisions integer;
    v_candidates integer;
BEGIN
    WITH summaries AS (
        SELECT d.id, ihf_outcome_summary(array_agg(s) FILTER (WHERE s.id IS NOT NULL)) AS summary
        FROM decision_records d
        LEFT JOIN deployment_records dep ON dep.decision_id = d.id
        LEFT JOIN outcome_signals s ON s.deployment_id = dep.id
        GROUP BY d.id)
    UPDATE decision_records d SET outcome_summary = summaries.summary
    FROM summaries
    WHERE d.id = summaries.id AND d.outcome_summary IS DISTINCT FROM summaries.summary;
    GET DIAGNOSTICS v_decisions = ROW_COUNT;

    WITH decision_candidates AS (
        SELECT d.id AS decision_id, coalesce(d.candidate_id, r.source_candidate_id) AS candidate_id
        FROM decision_records d LEFT JOIN requirements r ON r.id = d.requirement_id),
    candidate_signals AS (
        SELECT dc.candidate_id, s
        FROM decision_candidates dc
        JOIN deployment_records dep ON dep.decision_id = dc.decision_id
        JOIN outcome_signals s ON s.deployment_id = dep.id),
    summaries AS (
        SELECT c.id, ihf_outcome_summary(array_agg(cs.s) FILTER (WHERE (cs.s).id IS NOT NULL)) AS summary
        FROM requirement_candidates c LEFT JOIN candidate_signals cs ON cs.candidate_id = c.id
        GROUP BY c.id)
    UPDATE requirement_candidates c SET outcome_summary = summaries.summary
    FROM summaries
    WHERE c.id = summaries.id AND c.outcome_summary IS DISTINCT FROM summaries.summary;
    GET DIAGNOSTICS v_candidates = ROW_COUNT;
    RETURN v_decisions + v_candidates;
END;
$$ LANGUAGE plpgsql;
