DROP TRIGGER IF EXISTS interaction_events_no_delete ON interaction_events;
DROP TRIGGER IF EXISTS interaction_events_no_update ON interaction_events;
DROP FUNCTION IF EXISTS prevent_interaction_event_mutation();
