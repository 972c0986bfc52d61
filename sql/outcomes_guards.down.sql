DROP TRIGGER IF EXISTS remediation_events_no_delete ON remediation_events;
DROP TRIGGER IF EXISTS remediation_events_no_update ON remediation_events;
DROP FUNCTION IF EXISTS prevent_remediation_event_mutation();
DROP TRIGGER IF EXISTS deployment_records_no_delete ON deployment_records;
DROP TRIGGER IF EXISTS deployment_records_no_update ON deployment_records;
DROP FUNCTION IF EXISTS prevent_deployment_record_mutation();
DROP TRIGGER IF EXISTS outcome_signals_no_delete ON outcome_signals;
DROP TRIGGER IF EXISTS outcome_signals_no_update ON outcome_signals;
DROP FUNCTION IF EXISTS prevent_outcome_signal_mutation();
