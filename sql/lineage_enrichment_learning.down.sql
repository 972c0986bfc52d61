-- Back to sql/lineage_enrichment.sql's row-level trigger, which rebuilds each summary from the whole history.
DROP TRIGGER trg_enrich_lineage ON outcome_signals;

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

DROP FUNCTION ihf_fold_outcome_summary(jsonb, bigint, bigint, bigint, bigint, bigint, bigint, text, timestamptz, text);
DROP FUNCTION ihf_candidate_last_signal_at(uuid, timestamptz);
DROP FUNCTION ihf_decision_last_signal_at(uuid, timestamptz);

ALTER TABLE decision_records RESET (fillfactor);
ALTER TABLE requirement_candidates RESET (fillfactor);
