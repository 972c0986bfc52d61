-- triage_states is the append-only history of each candidate (status changes and assignments).
CREATE OR REPLACE FUNCTION prevent_triage_state_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'triage_states is append-only: UPDATE and DELETE are not permitted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER triage_states_no_update
    BEFORE UPDATE ON triage_states
    FOR EACH ROW EXECUTE FUNCTION prevent_triage_state_mutation();

CREATE TRIGGER triage_states_no_delete
    BEFORE DELETE ON triage_states
    FOR EACH ROW EXECUTE FUNCTION prevent_triage_state_mutation();
