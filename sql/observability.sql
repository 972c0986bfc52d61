-- Phase 7 (seed 001): indexes under the seed's names, the append-only health history, and the set-based
-- computations behind friction, bottlenecks, hub health and cross-hub propagation (docs/metrics.md).
-- The functions run with jit = off: their joins of CTEs inflate the planner's cost estimates past the JIT
-- threshold, and compiling took ~450 ms of a 750 ms friction recompute over 10,000 widgets.

CREATE INDEX friction_scores_widget_id_idx ON friction_scores (widget_id);
CREATE INDEX friction_scores_score_idx ON friction_scores (score DESC);
-- Friction counts recent error events of every widget: a small partial index keeps that off the big scan.
CREATE INDEX interaction_events_errors_idx ON interaction_events (occurred_at, widget_id)
    WHERE event_type = 'error';
CREATE INDEX bottleneck_records_hub_id_idx ON bottleneck_records (hub_id);
CREATE INDEX bottleneck_records_stage_idx ON bottleneck_records (stage);
CREATE INDEX bottleneck_records_resolved_idx ON bottleneck_records (resolved_at) WHERE resolved_at IS NULL;
-- Detection is idempotent: one open record per subject and stage.
CREATE UNIQUE INDEX bottleneck_records_one_open_idx ON bottleneck_records (stage, subject_id)
    WHERE resolved_at IS NULL;
CREATE INDEX hub_health_snapshots_hub_id_idx ON hub_health_snapshots (hub_id);
CREATE INDEX hub_health_snapshots_computed_at_idx ON hub_health_snapshots (hub_id, computed_at DESC);
CREATE INDEX cross_hub_propagations_status_idx ON cross_hub_propagations (status);
CREATE INDEX cross_hub_propagations_pattern_idx ON cross_hub_propagations (pattern_type);
CREATE UNIQUE INDEX cross_hub_propagations_one_live_idx ON cross_hub_propagations (fingerprint)
    WHERE status <> 'resolved';

CREATE OR REPLACE FUNCTION prevent_hub_health_snapshot_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'hub_health_snapshots is append-only: UPDATE and DELETE are not permitted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER hub_health_snapshots_no_update
    BEFORE UPDATE ON hub_health_snapshots
    FOR EACH ROW EXECUTE FUNCTION prevent_hub_health_snapshot_mutation();

CREATE TRIGGER hub_health_snapshots_no_delete
    BEFORE DELETE ON hub_health_snapshots
    FOR EACH ROW EXECUTE FUNCTION prevent_hub_health_snapshot_mutation();

-- Friction for every widget (of one hub, or all when p_hub_id is NULL) in one statement; p_weights holds
-- IHF_FRICTION_WEIGHTS. Returns the number of scores written.
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

-- Everything stalled right now, with its severity from age ÷ threshold (docs/metrics.md). p_defaults maps
-- each stage to its default threshold in days; bottleneck_thresholds overrides it per hub.
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

-- Open a record for each newly stalled subject, update the severity of the open ones, and resolve the ones
-- whose subject moved on. A subject a steward resolved by hand is not reopened for the same stall.
CREATE OR REPLACE FUNCTION ihf_detect_bottlenecks(p_defaults jsonb)
RETURNS TABLE (opened integer, updated integer, resolved integer) AS $$
DECLARE
    v_opened integer;
    v_updated integer;
    v_resolved integer;
BEGIN
    DROP TABLE IF EXISTS pg_temp.ihf_stalled_now;
    CREATE TEMPORARY TABLE ihf_stalled_now ON COMMIT DROP AS SELECT * FROM ihf_stalled(p_defaults);

    WITH written AS (
        INSERT INTO bottleneck_records AS b (id, hub_id, stage, subject_type, subject_id, stalled_since, severity,
                                             created_at)
        SELECT gen_random_uuid(), s.hub_id, s.stage, s.subject_type, s.subject_id, s.stalled_since, s.severity,
               now()
        FROM ihf_stalled_now s
        WHERE NOT EXISTS (SELECT 1 FROM bottleneck_records m
                          WHERE m.stage = s.stage AND m.subject_id = s.subject_id
                            AND m.stalled_since = s.stalled_since AND m.resolved_by_id IS NOT NULL)
        ON CONFLICT (stage, subject_id) WHERE resolved_at IS NULL
        DO UPDATE SET severity = EXCLUDED.severity
        WHERE b.severity IS DISTINCT FROM EXCLUDED.severity
        RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) INTO v_opened, v_updated
    FROM written;

    UPDATE bottleneck_records b
    SET resolved_at = now(), notes = 'Resolved automatically: the subject moved on.'
    WHERE b.resolved_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM ihf_stalled_now s WHERE s.stage = b.stage AND s.subject_id = b.subject_id);
    GET DIAGNOSTICS v_resolved = ROW_COUNT;

    RETURN QUERY SELECT v_opened, v_updated, v_resolved;
END;
$$ LANGUAGE plpgsql SET jit = off;

-- One health snapshot per hub, in one statement. p_rules maps each deduction to [points each, cap] and
-- holds the friction score from which a widget counts as high friction.
CREATE OR REPLACE FUNCTION ihf_snapshot_health(p_rules jsonb)
RETURNS integer AS $$
DECLARE
    v_rows integer;
BEGIN
    WITH open_candidates AS (
        SELECT w.hub_id, count(*) AS n FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id
        WHERE c.status IN ('open', 'under_review') GROUP BY w.hub_id
    ), regressed AS (
        SELECT hub_id, count(DISTINCT widget_id) AS n FROM regressions WHERE resolved_at IS NULL GROUP BY hub_id
    ), bottlenecks AS (
        SELECT hub_id, count(*) AS n, count(*) FILTER (WHERE stage = 'decision_undeployed') AS stale_decisions
        FROM bottleneck_records WHERE resolved_at IS NULL GROUP BY hub_id
    ), friction AS (
        SELECT w.hub_id, count(*) AS n FROM friction_scores f JOIN widgets w ON w.id = f.widget_id
        WHERE f.score >= (p_rules ->> 'high_friction_score')::int GROUP BY w.hub_id
    ), counts AS (
        SELECT h.id AS hub_id, coalesce(oc.n, 0) AS oc, coalesce(rg.n, 0) AS rg,
               coalesce(b.stale_decisions, 0) AS sd, coalesce(b.n, 0) AS ab, coalesce(f.n, 0) AS hf
        FROM hubs h
        LEFT JOIN open_candidates oc ON oc.hub_id = h.id
        LEFT JOIN regressed rg ON rg.hub_id = h.id
        LEFT JOIN bottlenecks b ON b.hub_id = h.id
        LEFT JOIN friction f ON f.hub_id = h.id
    )
    INSERT INTO hub_health_snapshots (id, hub_id, health_score, open_candidates, regressed_widgets, stale_decisions,
                                      active_bottlenecks, high_friction_widgets, computed_at)
    SELECT gen_random_uuid(), hub_id,
           greatest(0, 100
               - least((p_rules -> 'open_candidate' ->> 1)::int, (p_rules -> 'open_candidate' ->> 0)::int * oc)
               - least((p_rules -> 'regressed_widget' ->> 1)::int, (p_rules -> 'regressed_widget' ->> 0)::int * rg)
               - least((p_rules -> 'stale_decision' ->> 1)::int, (p_rules -> 'stale_decision' ->> 0)::int * sd)
               - least((p_rules -> 'active_bottleneck' ->> 1)::int, (p_rules -> 'active_bottleneck' ->> 0)::int * ab)
               - least((p_rules -> 'high_friction_widget' ->> 1)::int,
                       (p_rules -> 'high_friction_widget' ->> 0)::int * hf)),
           oc, rg, sd, ab, hf, now()
    FROM counts;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SET jit = off;

-- Cross-hub patterns (docs/metrics.md). annotation_cluster: open annotations of the last p_window_days on
-- widgets of different hubs that share at least p_min_shared significant words (English full-text lexemes
-- found in at most p_max_df annotations, so that boilerplate words do not tie everything together).
-- widget_type_friction: one widget type scoring at least p_red in two or more hubs. Returns new patterns.
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
