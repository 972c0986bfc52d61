-- Lineage enrichment at a cost independent of history (issue #17). sql/lineage_enrichment.sql rebuilt each
-- summary from all of a decision's and a candidate's signals on every inserted signal, and found the
-- candidate's decisions through coalesce(d.candidate_id, r.source_candidate_id), which no index serves.
--
-- Here trg_enrich_lineage is a statement-level trigger: the statement's new rows (a transition table) are
-- summed per decision, and each sum is folded into the stored summary:
--   signals and counts add up;
--   deployments_observed grows by the deployments whose first signals these are;
--   last_signal_type/at move when the new signals are later. On a tie of observed_at (several statements
--     in one transaction share now()) the stored summary cannot say which signal was last by the
--     recompute's rule (observed_at DESC, id DESC), so the signals at that instant are read again.
-- The candidate is found from each decision through primary keys. enrich_lineage_on_outcome_batch() stays
-- the recompute from the whole history; tests/outcomes/test_lineage_fold.py checks that both agree.

-- Each signal now updates its decision's and its candidate's row in place. Room left on every page lets
-- PostgreSQL write the new version beside the old one without touching the tables' seven indexes each (a
-- HOT update); with full pages every update inserted into all of them. Rows already stored get the room
-- when the table is next rewritten (VACUUM FULL); rows inserted from now on get it at once.
ALTER TABLE decision_records SET (fillfactor = 70);
ALTER TABLE requirement_candidates SET (fillfactor = 70);

-- The last signal of a decision at instant p_at, by the recompute's order (ties on observed_at only).
CREATE FUNCTION ihf_decision_last_signal_at(p_decision_id uuid, p_at timestamptz)
RETURNS text AS $$
    SELECT s.signal_type
    FROM deployment_records dep JOIN outcome_signals s ON s.deployment_id = dep.id
    WHERE dep.decision_id = p_decision_id AND s.observed_at = p_at
    ORDER BY s.id DESC LIMIT 1;
$$ LANGUAGE sql STABLE;

CREATE FUNCTION ihf_candidate_last_signal_at(p_candidate_id uuid, p_at timestamptz)
RETURNS text AS $$
    SELECT s.signal_type
    FROM (SELECT d.id FROM decision_records d WHERE d.candidate_id = p_candidate_id
          UNION
          SELECT d.id FROM requirements r JOIN decision_records d ON d.requirement_id = r.id
          WHERE r.source_candidate_id = p_candidate_id AND d.candidate_id IS NULL) AS d
    JOIN deployment_records dep ON dep.decision_id = d.id
    JOIN outcome_signals s ON s.deployment_id = dep.id
    WHERE s.observed_at = p_at
    ORDER BY s.id DESC LIMIT 1;
$$ LANGUAGE sql STABLE;

-- A stored summary (NULL: no signals yet) with a statement's signals folded in. p_tie_type is the last
-- signal's type read again when the new last signal shares its instant with the stored one.
CREATE FUNCTION ihf_fold_outcome_summary(
    p_stored jsonb, p_signals bigint, p_improved bigint, p_regressed bigint, p_neutral bigint,
    p_inconclusive bigint, p_new_deployments bigint, p_last_type text, p_last_at timestamptz,
    p_tie_type text)
RETURNS jsonb AS $$
    SELECT jsonb_build_object(
        'signals', coalesce((p_stored->>'signals')::bigint, 0) + p_signals,
        'counts', jsonb_build_object(
            'improved', coalesce((p_stored->'counts'->>'improved')::bigint, 0) + p_improved,
            'regressed', coalesce((p_stored->'counts'->>'regressed')::bigint, 0) + p_regressed,
            'neutral', coalesce((p_stored->'counts'->>'neutral')::bigint, 0) + p_neutral,
            'inconclusive', coalesce((p_stored->'counts'->>'inconclusive')::bigint, 0) + p_inconclusive),
        'last_signal_type', CASE
            WHEN p_stored IS NULL OR p_last_at > (p_stored->>'last_signal_at')::timestamptz THEN p_last_type
            WHEN p_last_at < (p_stored->>'last_signal_at')::timestamptz THEN p_stored->>'last_signal_type'
            ELSE p_tie_type END,
        'last_signal_at', CASE
            WHEN p_stored IS NULL OR p_last_at > (p_stored->>'last_signal_at')::timestamptz
                THEN to_jsonb(p_last_at)
            ELSE p_stored->'last_signal_at' END,
        'deployments_observed', coalesce((p_stored->>'deployments_observed')::bigint, 0) + p_new_deployments);
$$ LANGUAGE sql STABLE;

DROP TRIGGER trg_enrich_lineage ON outcome_signals;

CREATE OR REPLACE FUNCTION enrich_lineage_on_outcome()
RETURNS TRIGGER AS $$
DECLARE
    v_signal outcome_signals;
    v_decision_id uuid;
    v_candidate_id uuid;
    v_first bigint;
BEGIN
    -- Concurrent statements on the same decision take turns at its row lock, so that each one's next
    -- statement (a new snapshot under READ COMMITTED) sees the other's committed signals when it asks whether
    -- a deployment had signals before. FOR NO KEY UPDATE does not wait for the foreign-key checks' KEY SHARE
    -- locks.
    IF NOT EXISTS (SELECT 1 FROM new_signals OFFSET 1) THEN  -- one row, without reading a batch to its end
        -- One signal, the common case (a person or an integration recording it): a few key lookups, without
        -- the grouping the set-based statement below needs.
        SELECT * INTO v_signal FROM new_signals;
        SELECT d.id, coalesce(d.candidate_id,
                              (SELECT q.source_candidate_id FROM requirements q WHERE q.id = d.requirement_id))
        INTO v_decision_id, v_candidate_id
        FROM decision_records d
        WHERE d.id = (SELECT dep.decision_id FROM deployment_records dep WHERE dep.id = v_signal.deployment_id)
        FOR NO KEY UPDATE OF d;
        v_first := CASE WHEN EXISTS (SELECT 1 FROM outcome_signals s
                                     WHERE s.deployment_id = v_signal.deployment_id AND s.id <> v_signal.id) THEN 0 ELSE 1 END;
        UPDATE decision_records d SET outcome_summary = ihf_fold_outcome_summary(
            d.outcome_summary, 1, (v_signal.signal_type = 'improved')::int, (v_signal.signal_type = 'regressed')::int,
            (v_signal.signal_type = 'neutral')::int, (v_signal.signal_type = 'inconclusive')::int, v_first,
            v_signal.signal_type, v_signal.observed_at,
            CASE WHEN v_signal.observed_at = (d.outcome_summary->>'last_signal_at')::timestamptz
                THEN ihf_decision_last_signal_at(d.id, v_signal.observed_at) END)
        WHERE d.id = v_decision_id;
        UPDATE requirement_candidates c SET outcome_summary = ihf_fold_outcome_summary(
            c.outcome_summary, 1, (v_signal.signal_type = 'improved')::int, (v_signal.signal_type = 'regressed')::int,
            (v_signal.signal_type = 'neutral')::int, (v_signal.signal_type = 'inconclusive')::int, v_first,
            v_signal.signal_type, v_signal.observed_at,
            CASE WHEN v_signal.observed_at = (c.outcome_summary->>'last_signal_at')::timestamptz
                THEN ihf_candidate_last_signal_at(c.id, v_signal.observed_at) END)
        WHERE c.id = v_candidate_id;
        RETURN NULL;
    END IF;

    PERFORM 1 FROM decision_records d
    WHERE d.id = ANY (ARRAY(SELECT (SELECT dep.decision_id FROM deployment_records dep WHERE dep.id = x.deployment_id)
                            FROM (SELECT DISTINCT n.deployment_id FROM new_signals n) AS x))
    ORDER BY d.id FOR NO KEY UPDATE;

    WITH per_deployment AS (
        SELECT n.deployment_id,
               count(*) AS signals,
               count(*) FILTER (WHERE n.signal_type = 'improved') AS improved,
               count(*) FILTER (WHERE n.signal_type = 'regressed') AS regressed,
               count(*) FILTER (WHERE n.signal_type = 'neutral') AS neutral,
               count(*) FILTER (WHERE n.signal_type = 'inconclusive') AS inconclusive,
               max(n.observed_at) AS last_at,
               (array_agg(n.signal_type ORDER BY n.observed_at DESC, n.id DESC))[1] AS last_type,
               (array_agg(n.id ORDER BY n.observed_at DESC, n.id DESC))[1] AS last_id,
               array_agg(n.id) AS ids
        FROM new_signals n
        GROUP BY n.deployment_id),
    -- Whether a deployment had signals before this statement: the deployment's index entries of older rows
    -- come first, so the probe stops after one row in practice. Every lookup here is a subquery on a key,
    -- so that no plan joins the statement's rows to a whole table.
    per_deployment_seen AS (
        SELECT p.*,
               (SELECT dep.decision_id FROM deployment_records dep WHERE dep.id = p.deployment_id) AS decision_id,
               NOT EXISTS (SELECT 1 FROM outcome_signals s
                           WHERE s.deployment_id = p.deployment_id AND s.id <> ALL (p.ids)) AS first_signals
        FROM per_deployment p),
    per_decision AS (
        SELECT decision_id, sum(signals)::bigint AS signals, sum(improved)::bigint AS improved, sum(regressed)::bigint AS regressed,
               sum(neutral)::bigint AS neutral, sum(inconclusive)::bigint AS inconclusive,
               count(*) FILTER (WHERE first_signals) AS new_deployments,
               max(last_at) AS last_at,
               (array_agg(last_type ORDER BY last_at DESC, last_id DESC))[1] AS last_type,
               (array_agg(last_id ORDER BY last_at DESC, last_id DESC))[1] AS last_id
        FROM per_deployment_seen
        GROUP BY decision_id),
    decisions AS (
        UPDATE decision_records d SET outcome_summary = ihf_fold_outcome_summary(
            d.outcome_summary, p.signals, p.improved, p.regressed, p.neutral, p.inconclusive,
            p.new_deployments, p.last_type, p.last_at,
            CASE WHEN p.last_at = (d.outcome_summary->>'last_signal_at')::timestamptz
                THEN ihf_decision_last_signal_at(d.id, p.last_at) END)
        FROM per_decision p
        WHERE d.id = p.decision_id
        RETURNING d.id, coalesce(d.candidate_id,
            (SELECT r.source_candidate_id FROM requirements r WHERE r.id = d.requirement_id)) AS candidate_id),
    per_candidate AS (
        SELECT u.candidate_id, sum(p.signals)::bigint AS signals, sum(p.improved)::bigint AS improved,
               sum(p.regressed)::bigint AS regressed, sum(p.neutral)::bigint AS neutral, sum(p.inconclusive)::bigint AS inconclusive,
               sum(p.new_deployments)::bigint AS new_deployments, max(p.last_at) AS last_at,
               (array_agg(p.last_type ORDER BY p.last_at DESC, p.last_id DESC))[1] AS last_type
        FROM decisions u JOIN per_decision p ON p.decision_id = u.id
        WHERE u.candidate_id IS NOT NULL
        GROUP BY u.candidate_id)
    UPDATE requirement_candidates c SET outcome_summary = ihf_fold_outcome_summary(
        c.outcome_summary, p.signals, p.improved, p.regressed, p.neutral, p.inconclusive,
        p.new_deployments, p.last_type, p.last_at,
        CASE WHEN p.last_at = (c.outcome_summary->>'last_signal_at')::timestamptz
            THEN ihf_candidate_last_signal_at(c.id, p.last_at) END)
    FROM per_candidate p
    WHERE c.id = p.candidate_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_enrich_lineage
    AFTER INSERT ON outcome_signals
    REFERENCING NEW TABLE AS new_signals
    FOR EACH STATEMENT EXECUTE FUNCTION enrich_lineage_on_outcome();
