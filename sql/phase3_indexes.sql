-- Seed 001's phase 3 indexes under their seed names, and the seed's back-reference from a candidate to the
-- requirement it was promoted to (a plain column in the feedback app, which comes before governance).
CREATE INDEX requirements_source_candidate_id_idx ON requirements (source_candidate_id);
CREATE INDEX decision_records_outcome_idx ON decision_records (outcome);
CREATE INDEX decision_records_requirement_id_idx ON decision_records (requirement_id);
CREATE INDEX policy_references_decision_id_idx ON policy_references (decision_id);
CREATE INDEX impl_change_refs_decision_id_idx ON implementation_change_references (decision_id);
ALTER TABLE requirement_candidates
    ADD CONSTRAINT requirement_candidates_requirement_id_fkey
    FOREIGN KEY (requirement_id) REFERENCES requirements (id) ON DELETE SET NULL;
