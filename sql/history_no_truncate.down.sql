DROP TRIGGER IF EXISTS hub_health_snapshots_no_truncate ON hub_health_snapshots;
DROP TRIGGER IF EXISTS outcome_signals_no_truncate ON outcome_signals;
DROP TRIGGER IF EXISTS remediation_events_no_truncate ON remediation_events;
DROP TRIGGER IF EXISTS deployment_records_no_truncate ON deployment_records;
DROP TRIGGER IF EXISTS decision_records_no_truncate ON decision_records;
DROP TRIGGER IF EXISTS triage_states_no_truncate ON triage_states;
DROP TRIGGER IF EXISTS annotations_no_truncate ON annotations;
DROP TRIGGER IF EXISTS interaction_events_no_truncate ON interaction_events;
DROP FUNCTION IF EXISTS prevent_history_truncate();
