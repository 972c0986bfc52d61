-- requirement_candidates.worst_severity_rank: the worst open (not retracted) annotation behind a candidate,
-- its source annotation or any annotation of its source thread, as 0 (none) … 4 (critical). Kept here by
-- triggers so that a busy hub's board filters and sorts by it through an index instead of computing it for
-- each of its thousands of candidates on every request (issue 21).

CREATE OR REPLACE FUNCTION candidate_worst_severity(p_annotation uuid, p_thread uuid) RETURNS smallint
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(max(CASE a.severity WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3
                                        WHEN 'critical' THEN 4 ELSE 0 END), 0)::smallint
    FROM annotations a
    WHERE a.retracted_at IS NULL AND (a.id = p_annotation OR a.thread_id = p_thread)
$$;

-- Whatever writes a candidate (the ORM, which sends every column on a save; raw SQL; a fixture) gets the
-- value computed from the annotations. Not on other updates: the lineage fold writes outcome_summary on
-- thousands of candidates per batch of signals, and needs no recomputation.
CREATE OR REPLACE FUNCTION candidate_worst_severity_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.worst_severity_rank := candidate_worst_severity(NEW.source_annotation_id, NEW.source_thread_id);
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_candidate_worst_severity
    BEFORE INSERT OR UPDATE OF source_annotation_id, source_thread_id, worst_severity_rank
    ON requirement_candidates
    FOR EACH ROW EXECUTE FUNCTION candidate_worst_severity_fill();

-- An annotation written, retracted, re-rated or moved to another thread: the candidates behind it, and those
-- of the thread it left, are written again, which recomputes their value (the trigger above).
CREATE OR REPLACE FUNCTION candidate_worst_severity_follow_annotation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requirement_candidates c SET worst_severity_rank = c.worst_severity_rank
    WHERE c.source_annotation_id = NEW.id
       OR c.source_thread_id = NEW.thread_id
       OR (TG_OP = 'UPDATE' AND c.source_thread_id = OLD.thread_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_candidate_worst_severity_follow_annotation
    AFTER INSERT OR UPDATE OF severity, retracted_at, thread_id ON annotations
    FOR EACH ROW EXECUTE FUNCTION candidate_worst_severity_follow_annotation();

UPDATE requirement_candidates SET worst_severity_rank = worst_severity_rank;

CREATE INDEX requirement_candidates_hub_severity_idx
    ON requirement_candidates (hub_id, status, worst_severity_rank DESC, created_at, id);
