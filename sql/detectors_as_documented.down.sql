-- Back to the detectors of sql/observability.sql.
DROP INDEX IF EXISTS interaction_events_retractions_idx;

CREATE OR REPLACE FUNCTION ihf_recompute_friction(p_hub_id uuid, p_weights jsonb)
RETURNS integer AS $$
DECLARE
    v_rows integer;
    v_since timestamptz := now() - make_interval(days => (p_weights ->> 'window_days')::int);
    v_stale timestamptz := now() - make_interval(days => (p_weights ->> 'stale_days')::int);
BEGIN
    WITH scope AS (
        SELECT id FROM widgets WHERE p_hub_id IS NULL OR hub_id = p_hub_id
    ), annotated AS (
        SELECT a.widget_id, count(*) AS n,
               sum(coalesce((p_weights -> 'severity' ->> a.severity)::numeric, 0)) AS points
        FROM annotations a JOIN scope ON scope.id = a.widget_id
        WHERE a.retracted_at IS NULL AND a.created_at >= v_since
        GROUP BY a.widget_id
    ), errors AS (
        SELECT e.widget_id, count(*) AS n
        FROM interaction_events e JOIN scope ON scope.id = e.widget_id
        WHERE e.event_type = 'error' AND e.occurred_at >= v_since
        GROUP BY e.widget_id
    ), regressed AS (
        SELECT DISTINCT r.widget_id FROM regressions r JOIN scope ON scope.id = r.widget_id
        WHERE r.resolved_at IS NULL
    ), stale AS (
        SELECT c.source_widget_id AS widget_id, count(*) AS n
        FROM requirement_candidates c JOIN scope ON scope.id = c.source_widget_id
        WHERE c.status IN ('open', 'under_review') AND c.created_at < v_stale
        GROUP BY c.source_widget_id
    )
    INSERT INTO friction_scores AS f (id, widget_id, score, annotation_count, error_event_count, regression_flag,
                                      stale_candidate_count, last_computed_at)
    SELECT gen_random_uuid(), scope.id,
           least(100, round(
               coalesce(annotated.points, 0)
               + (p_weights ->> 'error_log')::numeric * ln(1 + coalesce(errors.n, 0))
               + CASE WHEN regressed.widget_id IS NULL THEN 0 ELSE (p_weights ->> 'regression')::numeric END
               + (p_weights ->> 'stale_candidate')::numeric * coalesce(stale.n, 0)))::int,
           coalesce(annotated.n, 0), coalesce(errors.n, 0), regressed.widget_id IS NOT NULL, coalesce(stale.n, 0),
           now()
    FROM scope
    LEFT JOIN annotated ON annotated.widget_id = scope.id
    LEFT JOIN errors ON errors.widget_id = scope.id
    LEFT JOIN regressed ON regressed.widget_id = scope.id
    LEFT JOIN stale ON stale.widget_id = scope.id
    ON CONFLICT (widget_id) DO UPDATE SET
        score = EXCLUDED.score, annotation_count = EXCLUDED.annotation_count,
        error_event_count = EXCLUDED.error_event_count, regression_flag = EXCLUDED.regression_flag,
        stale_candidate_count = EXCLUDED.stale_candidate_count, last_computed_at = EXCLUDED.last_computed_at;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SET jit = off;

CREATE OR REPLACE FUNCTION ihf_stalled(p_defaults jsonb)
RETURNS TABLE (hub_id uuid, stage text, subject_type text, subject_id uuid, stalled_since timestamptz,
               severity text) AS $$
    WITH thresholds AS (
        SELECT h.id AS hub_id, s.stage,
               coalesce(t.threshold_days, (p_defaults ->> s.stage)::int) AS days
        FROM hubs h
        CROSS JOIN (VALUES ('candidate_untriaged'), ('requirement_undecided'), ('decision_undeployed'),
                           ('deployment_unobserved')) AS s (stage)
        LEFT JOIN bottleneck_thresholds t ON t.hub_id = h.id AND t.stage = s.stage
    ), subjects AS (
        SELECT w.hub_id, 'candidate_untriaged' AS stage, 'requirement_candidate' AS subject_type, c.id,
               coalesce(moved.at, c.created_at) AS since
        FROM requirement_candidates c
        JOIN widgets w ON w.id = c.source_widget_id
        LEFT JOIN LATERAL (SELECT max(ts.changed_at) AS at FROM triage_states ts
                           WHERE ts.candidate_id = c.id AND ts.kind = 'transition') AS moved ON true
        WHERE c.status = 'open'
        UNION ALL
        SELECT w.hub_id, 'requirement_undecided', 'requirement', r.id, r.created_at
        FROM requirements r
        JOIN requirement_candidates c ON c.id = r.source_candidate_id
        JOIN widgets w ON w.id = c.source_widget_id
        WHERE NOT EXISTS (SELECT 1 FROM decision_records d WHERE d.requirement_id = r.id)
        UNION ALL
        SELECT d.hub_id, 'decision_undeployed', 'decision_record', d.id, d.decided_at
        FROM decision_records d
        WHERE d.outcome = 'approved'
          AND NOT EXISTS (SELECT 1 FROM decision_records later WHERE later.supersedes_id = d.id)
          AND NOT EXISTS (SELECT 1 FROM deployment_records dep WHERE dep.decision_id = d.id)
        UNION ALL
        SELECT d.hub_id, 'deployment_unobserved', 'deployment_record', dep.id, dep.deployed_at
        FROM deployment_records dep
        JOIN decision_records d ON d.id = dep.decision_id
        WHERE NOT EXISTS (SELECT 1 FROM outcome_signals s WHERE s.deployment_id = dep.id)
    )
    SELECT s.hub_id, s.stage, s.subject_type, s.id, s.since,
           CASE WHEN ratio < 1.5 THEN 'low' WHEN ratio < 2 THEN 'medium' WHEN ratio < 3 THEN 'high'
                ELSE 'critical' END
    FROM subjects s
    JOIN thresholds t ON t.hub_id = s.hub_id AND t.stage = s.stage
    CROSS JOIN LATERAL (SELECT extract(epoch FROM now() - s.since) / (t.days * 86400.0) AS ratio) AS r
    WHERE ratio >= 1;
$$ LANGUAGE sql STABLE SET jit = off;

CREATE OR REPLACE FUNCTION ihf_detect_propagations(p_window_days int, p_min_shared int, p_max_df int, p_red int)
RETURNS integer AS $$
DECLARE
    v_rows integer;
BEGIN
    WITH docs AS (
        SELECT a.id, w.hub_id, a.created_at, tsvector_to_array(to_tsvector('english', a.body)) AS lexemes
        FROM annotations a JOIN widgets w ON w.id = a.widget_id
        WHERE a.retracted_at IS NULL AND a.created_at >= now() - make_interval(days => p_window_days)
    ), postings AS (
        SELECT d.id, d.hub_id, d.created_at, lexeme FROM docs d, unnest(d.lexemes) AS lexeme
    ), useful AS (
        SELECT lexeme FROM postings GROUP BY lexeme
        HAVING count(*) <= p_max_df AND count(DISTINCT hub_id) >= 2 AND length(lexeme) > 2
    ), useful_postings AS (
        SELECT p.* FROM postings p JOIN useful u ON u.lexeme = p.lexeme
    ), pairs AS (
        SELECT (array_agg(p1.lexeme ORDER BY p1.lexeme))[1:6] AS words,
               p1.hub_id AS h1, p2.hub_id AS h2, p1.created_at AS c1, p2.created_at AS c2
        FROM useful_postings p1
        JOIN useful_postings p2 ON p2.lexeme = p1.lexeme AND p2.hub_id > p1.hub_id
        GROUP BY p1.id, p2.id, p1.hub_id, p2.hub_id, p1.created_at, p2.created_at
        HAVING count(*) >= p_min_shared
    ), clusters AS (
        SELECT 'annotation_cluster:' || array_to_string(words, ' ') AS fingerprint, words,
               array_agg(DISTINCT hub) AS hubs
        FROM pairs, unnest(ARRAY[h1, h2]) AS hub
        GROUP BY words
    ), source AS (
        -- The hub of the earliest annotation of each cluster.
        SELECT DISTINCT ON (words) 'annotation_cluster:' || array_to_string(words, ' ') AS fingerprint,
               CASE WHEN c1 <= c2 THEN h1 ELSE h2 END AS hub_id
        FROM pairs
        ORDER BY words, least(c1, c2)
    ), friction_types AS (
        SELECT w.widget_type, array_agg(DISTINCT w.hub_id) AS hubs,
               (array_agg(w.hub_id ORDER BY f.score DESC))[1] AS worst_hub
        FROM friction_scores f JOIN widgets w ON w.id = f.widget_id
        WHERE f.score >= p_red
        GROUP BY w.widget_type
        HAVING count(DISTINCT w.hub_id) >= 2
    ), found AS (
        SELECT 'annotation_cluster' AS pattern_type, c.fingerprint, s.hub_id AS source_hub_id, c.hubs,
               format('Similar annotations in %s hubs: %s', cardinality(c.hubs), array_to_string(c.words, ', '))
                   AS summary
        FROM clusters c JOIN source s ON s.fingerprint = c.fingerprint
        UNION ALL
        SELECT 'widget_type_friction', 'widget_type_friction:' || ft.widget_type, ft.worst_hub, ft.hubs,
               format('%s widgets have high friction in %s hubs', ft.widget_type, cardinality(ft.hubs))
        FROM friction_types ft
    ), written AS (
        INSERT INTO cross_hub_propagations AS p (id, pattern_type, source_hub_id, affected_hub_ids, summary,
                                                 detected_at, status, fingerprint)
        SELECT gen_random_uuid(), f.pattern_type, f.source_hub_id,
               (SELECT jsonb_agg(h ORDER BY h) FROM unnest(f.hubs) AS h), f.summary, now(), 'open', f.fingerprint
        FROM found f
        ON CONFLICT (fingerprint) WHERE status <> 'resolved'
        DO UPDATE SET affected_hub_ids = EXCLUDED.affected_hub_ids, summary = EXCLUDED.summary
        WHERE p.affected_hub_ids IS DISTINCT FROM EXCLUDED.affected_hub_ids
        RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted) INTO v_rows FROM written;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SET jit = off;
