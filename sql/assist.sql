-- The seed's indexes, by its names (longer than Django allows in a model).
CREATE INDEX agent_proposals_proposal_type_idx ON agent_proposals (proposal_type);
CREATE INDEX agent_proposals_status_idx ON agent_proposals (status);
CREATE INDEX agent_proposals_source_widget_id_idx ON agent_proposals (source_widget_id);
CREATE INDEX agent_proposals_created_at_idx ON agent_proposals (created_at DESC);
CREATE INDEX agent_review_records_proposal_id_idx ON agent_review_records (proposal_id);
CREATE INDEX confidence_annotations_proposal_id_idx ON confidence_annotations (proposal_id);

-- Phase 5 (seed 001): an agent's proposal is never edited and never removed. Its status changes once, from
-- pending: to accepted or rejected when a person's review exists for it (assist/review.py writes the review,
-- then the status, in one transaction), or to superseded when a newer proposal replaces it. Its sources may
-- only become NULL (ON DELETE SET NULL of what it was about). Reviews, confidence notes, the AI call log and
-- the auto-categorisations are append-only. Everything else raises SQLSTATE P0001.
CREATE FUNCTION prevent_agent_proposal_mutation()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'agent proposals are never deleted: reject or supersede the proposal instead';
    END IF;
    IF (NEW.id, NEW.proposal_type, NEW.content, NEW.details, NEW.model_ref, NEW.confidence, NEW.hub_id,
        NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.proposal_type, OLD.content, OLD.details, OLD.model_ref, OLD.confidence, OLD.hub_id,
        OLD.created_at) THEN
        RAISE EXCEPTION 'agent proposals are never edited: a person''s changes are kept in its review';
    END IF;
    IF (NEW.source_widget_id IS NOT NULL AND NEW.source_widget_id IS DISTINCT FROM OLD.source_widget_id)
       OR (NEW.source_candidate_id IS NOT NULL AND NEW.source_candidate_id IS DISTINCT FROM OLD.source_candidate_id)
       OR (NEW.source_thread_id IS NOT NULL AND NEW.source_thread_id IS DISTINCT FROM OLD.source_thread_id)
       OR (NEW.source_decision_id IS NOT NULL AND NEW.source_decision_id IS DISTINCT FROM OLD.source_decision_id)
       OR (NEW.duplicate_of_candidate_id IS NOT NULL
           AND NEW.duplicate_of_candidate_id IS DISTINCT FROM OLD.duplicate_of_candidate_id) THEN
        RAISE EXCEPTION 'agent proposals are never edited: a proposal''s sources may only be cleared';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status <> 'pending' THEN
            RAISE EXCEPTION 'proposal % is already %', OLD.id, OLD.status;
        END IF;
        IF NEW.status IN ('accepted', 'rejected') AND NOT EXISTS (
            SELECT 1 FROM agent_review_records r WHERE r.proposal_id = OLD.id
               AND (r.decision = NEW.status OR (NEW.status = 'accepted' AND r.decision = 'modified'))
        ) THEN
            RAISE EXCEPTION 'proposal % becomes % only through a person''s review', OLD.id, NEW.status;
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER agent_proposals_no_edit
    BEFORE UPDATE ON agent_proposals
    FOR EACH ROW EXECUTE FUNCTION prevent_agent_proposal_mutation();

CREATE TRIGGER agent_proposals_no_delete
    BEFORE DELETE ON agent_proposals
    FOR EACH ROW EXECUTE FUNCTION prevent_agent_proposal_mutation();

CREATE FUNCTION prevent_assist_history_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: UPDATE and DELETE are not permitted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER agent_review_records_append_only
    BEFORE UPDATE OR DELETE ON agent_review_records
    FOR EACH ROW EXECUTE FUNCTION prevent_assist_history_mutation();

CREATE TRIGGER confidence_annotations_append_only
    BEFORE UPDATE OR DELETE ON confidence_annotations
    FOR EACH ROW EXECUTE FUNCTION prevent_assist_history_mutation();

CREATE TRIGGER annotation_categorisations_append_only
    BEFORE UPDATE OR DELETE ON annotation_categorisations
    FOR EACH ROW EXECUTE FUNCTION prevent_assist_history_mutation();

-- The call log keeps its proposal link when the proposal goes (never: proposals are not deleted) and is
-- otherwise untouchable.
CREATE FUNCTION prevent_ai_call_mutation()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.proposal_id IS NULL AND OLD.proposal_id IS NOT NULL)
       AND (NEW.id, NEW.task, NEW.model_ref, NEW.latency_ms, NEW.status, NEW.called_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.task, OLD.model_ref, OLD.latency_ms, OLD.status, OLD.called_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ai_call_log is append-only: UPDATE and DELETE are not permitted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ai_call_log_append_only
    BEFORE UPDATE OR DELETE ON ai_call_log
    FOR EACH ROW EXECUTE FUNCTION prevent_ai_call_mutation();

CREATE TRIGGER agent_proposals_no_truncate
    BEFORE TRUNCATE ON agent_proposals
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER agent_review_records_no_truncate
    BEFORE TRUNCATE ON agent_review_records
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER confidence_annotations_no_truncate
    BEFORE TRUNCATE ON confidence_annotations
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER ai_call_log_no_truncate
    BEFORE TRUNCATE ON ai_call_log
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

CREATE TRIGGER annotation_categorisations_no_truncate
    BEFORE TRUNCATE ON annotation_categorisations
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

REVOKE UPDATE, DELETE ON agent_review_records, confidence_annotations, ai_call_log, annotation_categorisations
    FROM ihf_app;
REVOKE DELETE ON agent_proposals FROM ihf_app;

-- pgvector where the server has it (the embedded PostgreSQL does; Debian's PostgreSQL 15 has no package):
-- an HNSW index over the stored float arrays cast to vectors. Without it assist/neighbours.py compares in
-- numpy. Creating an extension needs the database owner or a superuser; a role that may not is told why.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS vector;
    EXCEPTION
        WHEN undefined_file OR feature_not_supported OR insufficient_privilege THEN
            RAISE NOTICE 'pgvector is not available (%): nearest neighbours are computed in numpy', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
        EXECUTE 'CREATE INDEX embeddings_vector_hnsw ON embeddings '
                'USING hnsw ((vector::vector(384)) vector_cosine_ops)';
    END IF;
END;
$$;
