DROP TRIGGER IF EXISTS trg_interaction_events_rollup ON interaction_events;
DROP FUNCTION IF EXISTS rollup_interaction_events();
