DROP INDEX IF EXISTS requirement_candidates_hub_severity_idx;
DROP TRIGGER IF EXISTS trg_candidate_worst_severity_follow_annotation ON annotations;
DROP FUNCTION IF EXISTS candidate_worst_severity_follow_annotation();
DROP TRIGGER IF EXISTS trg_candidate_worst_severity ON requirement_candidates;
DROP FUNCTION IF EXISTS candidate_worst_severity_fill();
DROP FUNCTION IF EXISTS candidate_worst_severity(uuid, uuid);
