-- The phase 7 detectors as docs/metrics.md describes them (issue #14). Replaces three functions of
-- sql/observability.sql, whose .down.sql here puts them back:
-- * friction leaves out error events that a later `retracted` event takes back, and counts a candidate as
--   stale from its last status change (as bottlenecks do), not from its creation;
-- * a deployment counts once its current status (its latest remediation event) is `success`: only then does
--   its decision count as deployed, and only then does it wait for an outcome signal, from the moment it
--   went live. A rolled-back deployment is no longer deployed: its decision waits again, from the rollback,
--   and the deployment itself waits for no signal;
-- * a cross-hub pattern a steward resolved is not raised again for the same evidence: an annotation
--   cluster comes back only when one of its annotations is newer than the resolution, a widget type only
--   when a hub that was not part of the resolved pattern shows it; and its summary shows the words people
--   wrote, not their stems.

-- Retractions of one widget's events, looked up per error event by friction.
CREATE INDEX interaction_events_retractions_idx
    ON interaction_events (widget_id, (metadata ->> 'retracted_event_id'))
    WHERE event_type = 'retracted';

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
          AND NOT EXISTS (SELECT 1 FROM interaction_events r
                          WHERE r.event_type = 'retracted' AND r.widget_id = e.widget_id
                            AND r.metadata ->> 'retracted_event_id' = e.id::text)
        GROUP BY e.widget_id
    ), regressed AS (
        SELECT DISTINCT r.widget_id FROM regressions r JOIN scope ON scope.id = r.widget_id
        WHERE r.resolved_at IS NULL
    ), stale AS (
        SELECT c.source_widget_id AS widget_id, count(*) AS n
        FROM requirement_candidates c JOIN scope ON scope.id = c.source_widget_id
        LEFT JOIN LATERAL (SELECT max(ts.changed_at) AS at FROM triage_states ts
                           WHERE ts.candidate_id = c.id AND ts.kind = 'transition') AS moved ON true
        WHERE c.status IN ('open', 'under_review') AND coalesce(moved.at, c.created_at) < v_stale
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
    ), deployment_state AS (
        -- Each deployment's current status, and when it took it: NULL for the first event, which is the
        -- deployment's own (its deployed_at may be set back to when it really went out).
        SELECT DISTINCT ON (e.deployment_id) e.deployment_id, e.status,
               CASE WHEN e.event_id = min(e.event_id) OVER (PARTITION BY e.deployment_id) THEN NULL
                    ELSE e.created_at END AS changed_at
        FROM remediation_events e
        ORDER BY e.deployment_id, e.event_id DESC
    ), live AS (
        SELECT dep.id, dep.decision_id, coalesce(st.changed_at, dep.deployed_at) AS since
        FROM deployment_records dep JOIN deployment_state st ON st.deployment_id = dep.id
        WHERE st.status = 'success'
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
        SELECT d.hub_id, 'decision_undeployed', 'decision_record', d.id,
               greatest(d.decided_at, rolled_back.at)
        FROM decision_records d
        LEFT JOIN LATERAL (SELECT max(e.created_at) AS at
                           FROM remediation_events e JOIN deployment_records dep ON dep.id = e.deployment_id
                           WHERE dep.decision_id = d.id AND e.status = 'rolled_back') AS rolled_back ON true
        WHERE d.outcome = 'approved'
          AND NOT EXISTS (SELECT 1 FROM decision_records later WHERE later.supersedes_id = d.id)
          AND NOT EXISTS (SELECT 1 FROM live WHERE live.decision_id = d.id)
        UNION ALL
        SELECT d.hub_id, 'deployment_unobserved', 'deployment_record', live.id, live.since
        FROM live
        JOIN decision_records d ON d.id = live.decision_id
        WHERE NOT EXISTS (SELECT 1 FROM outcome_signals s WHERE s.deployment_id = live.id)
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
        -- Lexemes of one or two characters ("ui", "ok", "x") tie unrelated annotations together.
        SELECT lexeme FROM postings GROUP BY lexeme
        HAVING count(*) <= p_max_df AND count(DISTINCT hub_id) >= 2 AND length(lexeme) > 2
    ), useful_postings AS (
        SELECT p.* FROM postings p JOIN useful u ON u.lexeme = p.lexeme
    ), pairs AS (
        SELECT (array_agg(p1.lexeme ORDER BY p1.lexeme))[1:6] AS words, p1.id AS a1, p2.id AS a2,
               p1.hub_id AS h1, p2.hub_id AS h2, p1.created_at AS c1, p2.created_at AS c2
        FROM useful_postings p1
        JOIN useful_postings p2 ON p2.lexeme = p1.lexeme AND p2.hub_id > p1.hub_id
        GROUP BY p1.id, p2.id, p1.hub_id, p2.hub_id, p1.created_at, p2.created_at
        HAVING count(*) >= p_min_shared
    ), clusters AS (
        SELECT 'annotation_cluster:' || array_to_string(words, ' ') AS fingerprint, words,
               array_agg(DISTINCT hub) AS hubs, max(greatest(c1, c2)) AS latest
        FROM pairs, unnest(ARRAY[h1, h2]) AS hub
        GROUP BY words
    ), source AS (
        -- The hub of the earliest annotation of each cluster.
        SELECT DISTINCT ON (words) 'annotation_cluster:' || array_to_string(words, ' ') AS fingerprint,
               CASE WHEN c1 <= c2 THEN h1 ELSE h2 END AS hub_id
        FROM pairs
        ORDER BY words, least(c1, c2)
    ), cluster_words AS (
        -- The word people wrote most often for each stem, in the cluster's own annotations.
        SELECT DISTINCT ON (x.words, x.lexeme) x.words, x.lexeme, x.token
        FROM (SELECT p.words, t.lexemes[1] AS lexeme, lower(t.token) AS token, count(*) AS n
              FROM (SELECT DISTINCT words, unnest(ARRAY[a1, a2]) AS annotation_id FROM pairs) AS p
              JOIN annotations a ON a.id = p.annotation_id
              CROSS JOIN LATERAL ts_debug('english', a.body) AS t
              WHERE t.lexemes[1] = ANY(p.words)
              GROUP BY p.words, t.lexemes[1], lower(t.token)) AS x
        ORDER BY x.words, x.lexeme, x.n DESC, x.token
    ), labels AS (
        SELECT words, string_agg(token, ', ' ORDER BY lexeme) AS label FROM cluster_words GROUP BY words
    ), friction_types AS (
        SELECT w.widget_type, array_agg(DISTINCT w.hub_id) AS hubs,
               (array_agg(w.hub_id ORDER BY f.score DESC))[1] AS worst_hub
        FROM friction_scores f JOIN widgets w ON w.id = f.widget_id
        WHERE f.score >= p_red
        GROUP BY w.widget_type
        HAVING count(DISTINCT w.hub_id) >= 2
    ), found AS (
        SELECT 'annotation_cluster' AS pattern_type, c.fingerprint, s.hub_id AS source_hub_id, c.hubs,
               format('Similar annotations in %s hubs: %s', cardinality(c.hubs),
                      coalesce(l.label, array_to_string(c.words, ', '))) AS summary,
               c.latest
        FROM clusters c JOIN source s ON s.fingerprint = c.fingerprint
        LEFT JOIN labels l ON l.words = c.words
        UNION ALL
        SELECT 'widget_type_friction', 'widget_type_friction:' || ft.widget_type, ft.worst_hub, ft.hubs,
               format('%s widgets have high friction in %s hubs', ft.widget_type, cardinality(ft.hubs)),
               NULL
        FROM friction_types ft
    ), fresh AS (
        -- What a steward resolved stays resolved until there is new evidence.
        SELECT f.* FROM found f
        WHERE NOT EXISTS (
            SELECT 1 FROM cross_hub_propagations r
            WHERE r.fingerprint = f.fingerprint AND r.status = 'resolved'
              AND CASE WHEN f.pattern_type = 'annotation_cluster' THEN r.resolved_at >= f.latest
                       ELSE (SELECT jsonb_agg(h) FROM unnest(f.hubs) AS h) <@ r.affected_hub_ids END)
    ), written AS (
        INSERT INTO cross_hub_propagations AS p (id, pattern_type, source_hub_id, affected_hub_ids, summary,
                                                 detected_at, status, fingerprint)
        SELECT gen_random_uuid(), f.pattern_type, f.source_hub_id,
               (SELECT jsonb_agg(h ORDER BY h) FROM unnest(f.hubs) AS h), f.summary, now(), 'open', f.fingerprint
        FROM fresh f
        ON CONFLICT (fingerprint) WHERE status <> 'resolved'
        DO UPDATE SET affected_hub_ids = EXCLUDED.affected_hub_ids, summary = EXCLUDED.summary
        WHERE p.affected_hub_ids IS DISTINCT FROM EXCLUDED.affected_hub_ids OR p.summary <> EXCLUDED.summary
        RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted) INTO v_rows FROM written;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SET jit = off;
