DROP INDEX IF EXISTS requirement_candidates_hub_board_idx;
ALTER TABLE requirement_candidates ALTER COLUMN hub_id DROP NOT NULL;
DROP TRIGGER IF EXISTS trg_candidate_hub_follow_widget ON widgets;
DROP FUNCTION IF EXISTS candidate_hub_follow_widget();
DROP TRIGGER IF EXISTS trg_candidate_hub ON requirement_candidates;
DROP FUNCTION IF EXISTS candidate_hub_from_widget();
