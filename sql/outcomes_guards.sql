-- outcome_signals is append-only: the seed's function and triggers (seed 000 and the append-only contract).
CREATE OR REPLACE FUNCTION prevent_outcome_signal_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'outcome_signals is append-only: UPDATE and DELETE are not permitted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER outcome_signals_no_update
    BEFORE UPDATE ON outcome_signals
    FOR EACH ROW EXECUTE FUNCTION prevent_outcome_signal_mutation();

CREATE TRIGGER outcome_signals_no_delete
    BEFORE DELETE ON outcome_signals
    FOR EACH ROW EXECUTE FUNCTION prevent_outcome_signal_mutation();

-- Deployments are immutable records of what shipped; their lifecycle lives in remediation_events.
CREATE OR REPLACE FUNCTION prevent_deployment_record_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'deployment_records are immutable: record a status event or a new deployment instead';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER deployment_records_no_update
    BEFORE UPDATE ON deployment_records
    FOR EACH ROW EXECUTE FUNCTION prevent_deployment_record_mutation();

CREATE TRIGGER deployment_records_no_delete
    BEFORE DELETE ON deployment_records
    FOR EACH ROW EXECUTE FUNCTION prevent_deployment_record_mutation();

-- A deployment's status history is append-only: the current status is the latest row.
CREATE OR REPLACE FUNCTION prevent_remediation_event_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'remediation_events is append-only: UPDATE and DELETE are not permitted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER remediation_events_no_update
    BEFORE UPDATE ON remediation_events
    FOR EACH ROW EXECUTE FUNCTION prevent_remediation_event_mutation();

CREATE TRIGGER remediation_events_no_delete
    BEFORE DELETE ON remediation_events
    FOR EACH ROW EXECUTE FUNCTION prevent_remediation_event_mutation();
