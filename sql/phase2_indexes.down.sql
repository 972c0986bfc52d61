DROP INDEX IF EXISTS requirement_candidates_status_idx;
DROP INDEX IF EXISTS requirement_candidates_widget_id_idx;
