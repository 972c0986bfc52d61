-- History tables (the append-only logs and the records that are never edited) refuse UPDATE and DELETE with
-- row triggers, but TRUNCATE fires no row trigger: `TRUNCATE interaction_events`, or `TRUNCATE widgets
-- CASCADE` reaching it through a foreign key, emptied the history without a word. A statement trigger on
-- each history table refuses TRUNCATE with SQLSTATE P0001, cascaded truncates included (PostgreSQL fires
-- the BEFORE TRUNCATE triggers of every table a TRUNCATE empties, before it empties any).
CREATE FUNCTION prevent_history_truncate()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'P0001',
        MESSAGE = format('%s is a history table: TRUNCATE is not permitted', TG_TABLE_NAME),
        HINT = 'History is corrected by appending rows, never by removing them.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER interaction_events_no_truncate
    BEFORE TRUNCATE ON interaction_events
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER annotations_no_truncate
    BEFORE TRUNCATE ON annotations
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER triage_states_no_truncate
    BEFORE TRUNCATE ON triage_states
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER decision_records_no_truncate
    BEFORE TRUNCATE ON decision_records
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER deployment_records_no_truncate
    BEFORE TRUNCATE ON deployment_records
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER remediation_events_no_truncate
    BEFORE TRUNCATE ON remediation_events
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER outcome_signals_no_truncate
    BEFORE TRUNCATE ON outcome_signals
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER hub_health_snapshots_no_truncate
    BEFORE TRUNCATE ON hub_health_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();
