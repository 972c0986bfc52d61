-- A decision is never edited or deleted: a later decision supersedes it. The one column that changes is
-- outcome_summary, which trg_enrich_lineage keeps current as outcome signals arrive.
CREATE OR REPLACE FUNCTION prevent_decision_record_mutation()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'decision_records are never deleted: record a new decision that supersedes it';
    END IF;
    IF (to_jsonb(NEW) - 'outcome_summary') IS DISTINCT FROM (to_jsonb(OLD) - 'outcome_summary') THEN
        RAISE EXCEPTION 'decision_records are never edited: record a new decision that supersedes it';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER decision_records_no_edit
    BEFORE UPDATE ON decision_records
    FOR EACH ROW EXECUTE FUNCTION prevent_decision_record_mutation();

CREATE TRIGGER decision_records_no_delete
    BEFORE DELETE ON decision_records
    FOR EACH ROW EXECUTE FUNCTION prevent_decision_record_mutation();
