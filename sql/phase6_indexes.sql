-- Seed 001's phase 6 indexes under their seed names.
CREATE INDEX envelope_emission_contracts_status_idx ON envelope_emission_contracts (status);
CREATE INDEX interaction_reporting_contracts_status_idx ON interaction_reporting_contracts (status);
CREATE INDEX widget_adapter_specs_framework_idx ON widget_adapter_specs (framework);
CREATE INDEX widget_adapter_specs_status_idx ON widget_adapter_specs (status);
CREATE INDEX widgets_adapter_spec_id_idx ON widgets (adapter_spec_id);
-- A retraction names the event it corrects; each event can be retracted once.
CREATE UNIQUE INDEX interaction_events_one_retraction_idx
    ON interaction_events ((metadata ->> 'retracted_event_id'))
    WHERE event_type = 'retracted';
