-- Seed 000/001's phase 4 indexes and seed 003's remediation_events indexes, under their seed names.
CREATE INDEX deployment_records_decision_id_idx ON deployment_records (decision_id);
CREATE INDEX deployment_records_deployed_at_idx ON deployment_records (deployed_at DESC);
CREATE INDEX outcome_signals_widget_id_idx ON outcome_signals (widget_id);
CREATE INDEX outcome_signals_deployment_id_idx ON outcome_signals (deployment_id);
CREATE INDEX outcome_signals_observed_at_idx ON outcome_signals (observed_at DESC);
CREATE INDEX change_evaluations_deployment_id_idx ON change_evaluations (deployment_id);
CREATE INDEX idx_remediation_events_time ON remediation_events (created_at DESC);
CREATE INDEX idx_remediation_events_type ON remediation_events (remediation_type);
CREATE INDEX idx_remediation_events_incident ON remediation_events (incident_id) WHERE incident_id IS NOT NULL;
