-- Annotations are never edited. After insert the database allows only:
--   * retraction, once: retracted_at goes from NULL to a time, with a reason (and who retracted);
--   * moving the annotation into or out of a thread (thread_id), which is triage bookkeeping, not content.
-- Everything else, and DELETE, raises SQLSTATE P0001.
CREATE OR REPLACE FUNCTION prevent_annotation_mutation()
RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'annotations are never deleted: retract the annotation instead';
    END IF;
    IF OLD.retracted_at IS NOT NULL AND NEW.retracted_at IS DISTINCT FROM OLD.retracted_at THEN
        RAISE EXCEPTION 'annotation % is already retracted', OLD.id;
    END IF;
    IF OLD.retracted_at IS NOT NULL AND (NEW.retraction_reason IS DISTINCT FROM OLD.retraction_reason
            OR NEW.retracted_by IS DISTINCT FROM OLD.retracted_by) THEN
        RAISE EXCEPTION 'annotation % is already retracted', OLD.id;
    END IF;
    IF (NEW.id, NEW.widget_id, NEW.parent_id, NEW.body, NEW.category, NEW.severity, NEW.actor_id,
        NEW.actor_type, NEW.widget_state_ref, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.widget_id, OLD.parent_id, OLD.body, OLD.category, OLD.severity, OLD.actor_id,
        OLD.actor_type, OLD.widget_state_ref, OLD.created_at) THEN
        RAISE EXCEPTION 'annotations are never edited: only retraction and thread moves are allowed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER annotations_no_edit
    BEFORE UPDATE ON annotations
    FOR EACH ROW EXECUTE FUNCTION prevent_annotation_mutation();

CREATE TRIGGER annotations_no_delete
    BEFORE DELETE ON annotations
    FOR EACH ROW EXECUTE FUNCTION prevent_annotation_mutation();
