-- The seed's phase 2 indexes under the seed's names (longer than Django's limit for Meta.indexes).
CREATE INDEX requirement_candidates_widget_id_idx ON requirement_candidates (source_widget_id);
CREATE INDEX requirement_candidates_status_idx ON requirement_candidates (status);
