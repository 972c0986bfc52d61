ALTER TABLE requirement_candidates DROP CONSTRAINT IF EXISTS requirement_candidates_requirement_id_fkey;
DROP INDEX IF EXISTS impl_change_refs_decision_id_idx;
DROP INDEX IF EXISTS policy_references_decision_id_idx;
DROP INDEX IF EXISTS decision_records_requirement_id_idx;
DROP INDEX IF EXISTS decision_records_outcome_idx;
DROP INDEX IF EXISTS requirements_source_candidate_id_idx;
