DROP INDEX IF EXISTS interaction_events_one_retraction_idx;
DROP INDEX IF EXISTS widgets_adapter_spec_id_idx;
DROP INDEX IF EXISTS widget_adapter_specs_status_idx;
DROP INDEX IF EXISTS widget_adapter_specs_framework_idx;
DROP INDEX IF EXISTS interaction_reporting_contracts_status_idx;
DROP INDEX IF EXISTS envelope_emission_contracts_status_idx;
