DROP TRIGGER IF EXISTS triage_states_no_delete ON triage_states;
DROP TRIGGER IF EXISTS triage_states_no_update ON triage_states;
DROP FUNCTION IF EXISTS prevent_triage_state_mutation();
