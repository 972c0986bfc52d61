-- Phase 12's recomputes, each one set-based statement (docs/metrics.md, "Learning").

-- Every outcome signal observed in the last p_window_days, with what led to it: the hub, the category and
-- severity of the feedback behind the decision (its candidate, directly or through its requirement), the
-- type of the widget the signal is about, and the decision's outcome.
CREATE OR REPLACE FUNCTION ihf_signal_facts(p_window_days int)
RETURNS TABLE (hub_id uuid, deployment_id uuid, decision_id uuid, signal_type text, category text,
               severity text, widget_type text, decision_outcome text, observed_at timestamptz) AS $$
    SELECT d.hub_id, s.deployment_id, d.id, s.signal_type, c.category, a.severity, w.widget_type, d.outcome,
           s.observed_at
    FROM outcome_signals s
    JOIN deployment_records dep ON dep.id = s.deployment_id
    JOIN decision_records d ON d.id = dep.decision_id
    JOIN widgets w ON w.id = s.widget_id
    LEFT JOIN requirements r ON r.id = d.requirement_id
    LEFT JOIN requirement_candidates c ON c.id = coalesce(d.candidate_id, r.source_candidate_id)
    LEFT JOIN annotations a ON a.id = c.source_annotation_id
    WHERE s.observed_at >= now() - make_interval(days => p_window_days);
$$ LANGUAGE sql STABLE;

-- One run: a row per (hub, factor, value) with the signals' split, the regression rate against the rest of
-- the hub (for the `hub` factor: against all other hubs), the difference (effect size) and its 95 % Wald
-- interval. Returns the number of rows added.
CREATE OR REPLACE FUNCTION ihf_compute_outcome_correlations(p_window_days int)
RETURNS integer AS $$
DECLARE
    v_rows integer;
    v_run uuid := gen_random_uuid();
BEGIN
    WITH facts AS (
        SELECT * FROM ihf_signal_facts(p_window_days)
    ), factors AS (
        SELECT f.hub_id, f.signal_type, x.t, x.v
        FROM facts f
        CROSS JOIN LATERAL (VALUES ('annotation_category', f.category), ('annotation_severity', f.severity),
                                   ('widget_type', f.widget_type), ('decision_outcome', f.decision_outcome))
            AS x (t, v)
        WHERE x.v IS NOT NULL
        UNION ALL
        SELECT f.hub_id, f.signal_type, 'hub', h.slug FROM facts f JOIN hubs h ON h.id = f.hub_id
    ), per_value AS (
        SELECT hub_id, t, v, count(*) AS n,
               count(*) FILTER (WHERE signal_type = 'improved') AS improved,
               count(*) FILTER (WHERE signal_type = 'regressed') AS regressed,
               count(*) FILTER (WHERE signal_type = 'neutral') AS neutral,
               count(*) FILTER (WHERE signal_type = 'inconclusive') AS inconclusive
        FROM factors GROUP BY hub_id, t, v
    ), totals AS (
        -- The scope each value is compared with: its hub for every factor but `hub`, all hubs for `hub`.
        SELECT hub_id, t, sum(n) AS n, sum(regressed) AS regressed FROM per_value WHERE t <> 'hub'
        GROUP BY hub_id, t
        UNION ALL
        SELECT p.hub_id, 'hub', a.n, a.regressed
        FROM per_value p
        CROSS JOIN (SELECT sum(n) AS n, sum(regressed) AS regressed FROM per_value WHERE t = 'hub') AS a
        WHERE p.t = 'hub'
    ), rated AS (
        SELECT p.*, t.n - p.n AS base_n, t.regressed - p.regressed AS base_regressed,
               p.regressed::float8 / p.n AS rate,
               CASE WHEN t.n > p.n THEN (t.regressed - p.regressed)::float8 / (t.n - p.n) END AS base_rate
        FROM per_value p JOIN totals t ON t.hub_id = p.hub_id AND t.t = p.t
    )
    INSERT INTO outcome_correlations (id, hub_id, correlation_type, factor_value, signals, improved, regressed,
        neutral, inconclusive, baseline_signals, baseline_regressed, regression_rate, baseline_rate,
        effect_size, ci_low, ci_high, window_start, window_end, run_id, computed_at)
    SELECT gen_random_uuid(), r.hub_id, r.t, r.v, r.n, r.improved, r.regressed, r.neutral, r.inconclusive,
           r.base_n, r.base_regressed, round(r.rate::numeric, 4), round(r.base_rate::numeric, 4),
           round((r.rate - r.base_rate)::numeric, 4),
           round((r.rate - r.base_rate - 1.96 * se.v)::numeric, 4),
           round((r.rate - r.base_rate + 1.96 * se.v)::numeric, 4),
           now() - make_interval(days => p_window_days), now(), v_run, now()
    FROM rated r
    CROSS JOIN LATERAL (SELECT sqrt(r.rate * (1 - r.rate) / r.n
                                    + r.base_rate * (1 - r.base_rate) / nullif(r.base_n, 0)) AS v) AS se;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SET jit = off;

-- The friction weights a hub's friction runs on: the defaults, overlaid with its last applied calibration.
CREATE OR REPLACE FUNCTION ihf_friction_weights(p_hub_id uuid, p_defaults jsonb)
RETURNS jsonb AS $$
    SELECT p_defaults || coalesce((
        SELECT c.new_values FROM adaptive_threshold_configs c
        WHERE c.hub_id = p_hub_id AND c.config_type = 'friction_weights' AND c.status = 'applied'
        ORDER BY c.decided_at DESC LIMIT 1), '{}');
$$ LANGUAGE sql STABLE;

-- Proposals: each hub's bottleneck thresholds from its observed time in each stage (the 90th percentile of
-- the stays that ended in the window, rounded up to whole days), and its friction weights from which
-- components were higher on widgets that regressed than on the others. A proposal is made only from
-- p_min_samples observations, only when it changes something, and only when none is pending already.
CREATE OR REPLACE FUNCTION ihf_calibrate(p_defaults jsonb, p_weights jsonb, p_window_days int,
                                         p_min_samples int)
RETURNS integer AS $$
DECLARE
    v_rows integer;
    v_weights integer;
    v_since timestamptz := now() - make_interval(days => p_window_days);
BEGIN
    WITH stays AS (
        SELECT w.hub_id, 'candidate_untriaged' AS stage, c.created_at AS began, moved.at AS ended
        FROM requirement_candidates c
        JOIN widgets w ON w.id = c.source_widget_id
        CROSS JOIN LATERAL (SELECT min(ts.changed_at) AS at FROM triage_states ts
                            WHERE ts.candidate_id = c.id AND ts.kind = 'transition' AND ts.status <> 'open')
            AS moved
        UNION ALL
        SELECT w.hub_id, 'requirement_undecided', r.created_at,
               (SELECT min(d.decided_at) FROM decision_records d WHERE d.requirement_id = r.id)
        FROM requirements r
        JOIN requirement_candidates c ON c.id = r.source_candidate_id
        JOIN widgets w ON w.id = c.source_widget_id
        UNION ALL
        SELECT d.hub_id, 'decision_undeployed', d.decided_at,
               (SELECT min(dep.deployed_at) FROM deployment_records dep WHERE dep.decision_id = d.id)
        FROM decision_records d WHERE d.outcome = 'approved'
        UNION ALL
        SELECT d.hub_id, 'deployment_unobserved', dep.deployed_at,
               (SELECT min(s.observed_at) FROM outcome_signals s WHERE s.deployment_id = dep.id)
        FROM deployment_records dep JOIN decision_records d ON d.id = dep.decision_id
    ), observed AS (
        SELECT hub_id, stage, count(*) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ended - began) / 86400) AS p50,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ended - began) / 86400) AS p90
        FROM stays WHERE ended IS NOT NULL AND ended >= v_since AND ended >= began
        GROUP BY hub_id, stage
        HAVING count(*) >= p_min_samples
    ), proposals AS (
        SELECT o.*, coalesce(t.threshold_days, (p_defaults ->> o.stage)::int) AS current_days,
               greatest(1, ceil(o.p90))::int AS new_days
        FROM observed o
        LEFT JOIN bottleneck_thresholds t ON t.hub_id = o.hub_id AND t.stage = o.stage
    )
    INSERT INTO adaptive_threshold_configs (id, hub_id, config_type, stage, old_values, new_values, evidence,
                                            status, proposed_at)
    SELECT gen_random_uuid(), p.hub_id, 'bottleneck_threshold', p.stage,
           jsonb_build_object('threshold_days', p.current_days), jsonb_build_object('threshold_days', p.new_days),
           jsonb_build_object('samples', p.n, 'p50_days', round(p.p50::numeric, 1),
                              'p90_days', round(p.p90::numeric, 1), 'window_days', p_window_days),
           'proposed', now()
    FROM proposals p
    WHERE p.new_days <> p.current_days
    ON CONFLICT (hub_id, config_type, stage) WHERE status = 'proposed' DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;

    WITH widget_components AS (
        SELECT w.hub_id, f.annotation_count, f.error_event_count, f.stale_candidate_count,
               EXISTS (SELECT 1 FROM regressions g WHERE g.widget_id = w.id AND g.detected_at >= v_since)
                   AS regressed
        FROM friction_scores f JOIN widgets w ON w.id = f.widget_id
    ), lifts AS (
        -- How much higher each component was on widgets that regressed: (mean + 1) / (mean of the rest + 1),
        -- held between 0.5 and 2 so that one calibration at most halves or doubles a weight.
        SELECT hub_id, count(*) FILTER (WHERE regressed) AS regressed_widgets,
               count(*) FILTER (WHERE NOT regressed) AS other_widgets,
               least(2, greatest(0.5, (avg(annotation_count) FILTER (WHERE regressed) + 1)
                                      / (avg(annotation_count) FILTER (WHERE NOT regressed) + 1))) AS annotations,
               least(2, greatest(0.5, (avg(error_event_count) FILTER (WHERE regressed) + 1)
                                      / (avg(error_event_count) FILTER (WHERE NOT regressed) + 1))) AS errors,
               least(2, greatest(0.5, (avg(stale_candidate_count) FILTER (WHERE regressed) + 1)
                                      / (avg(stale_candidate_count) FILTER (WHERE NOT regressed) + 1))) AS stale
        FROM widget_components GROUP BY hub_id
        HAVING count(*) FILTER (WHERE regressed) >= p_min_samples
           AND count(*) FILTER (WHERE NOT regressed) >= p_min_samples
    ), proposals AS (
        SELECT l.*, ihf_friction_weights(l.hub_id, p_weights) AS current
        FROM lifts l
    ), computed AS (
        SELECT p.*, p.current || jsonb_build_object(
                   'severity', (SELECT jsonb_object_agg(k, round((v::text::numeric * p.annotations)::numeric, 2))
                                FROM jsonb_each(p.current -> 'severity') AS e (k, v)),
                   'error_log', round(((p.current ->> 'error_log')::numeric * p.errors)::numeric, 2),
                   'stale_candidate', round(((p.current ->> 'stale_candidate')::numeric * p.stale)::numeric, 2))
               AS new
        FROM proposals p
        WHERE greatest(abs(p.annotations - 1), abs(p.errors - 1), abs(p.stale - 1)) >= 0.1
    )
    INSERT INTO adaptive_threshold_configs (id, hub_id, config_type, stage, old_values, new_values, evidence,
                                            status, proposed_at)
    SELECT gen_random_uuid(), c.hub_id, 'friction_weights', NULL, c.current, c.new,
           jsonb_build_object('regressed_widgets', c.regressed_widgets, 'other_widgets', c.other_widgets,
                              'annotation_lift', round(c.annotations::numeric, 2),
                              'error_lift', round(c.errors::numeric, 2),
                              'stale_lift', round(c.stale::numeric, 2), 'window_days', p_window_days),
           'proposed', now()
    FROM computed c
    ON CONFLICT (hub_id, config_type, stage) WHERE status = 'proposed' DO NOTHING;
    GET DIAGNOSTICS v_weights = ROW_COUNT;
    RETURN v_rows + v_weights;
END;
$$ LANGUAGE plpgsql SET jit = off;

-- Insights a person can act on, each once (its fingerprint carries its counts: new counts, a new insight).
-- change_regressions: of the deployments for one kind of feedback on one widget type, observed within
-- p_days, at least half regressed within p_days. pattern_success / pattern_failure: a pattern with
-- p_min_deployments observed deployments and a success (regression) share of at least 3/4 (1/2).
-- correlation: a factor value whose regression rate is above the rest of its hub with the whole 95 %
-- interval above zero. Returns the number of insights added.
CREATE OR REPLACE FUNCTION ihf_generate_insights(p_days int, p_min_deployments int, p_window_days int)
RETURNS integer AS $$
DECLARE
    v_rows integer;
BEGIN
    WITH deployments AS (
        SELECT d.hub_id, dep.id, d.id AS decision_id, c.category, w.widget_type,
               EXISTS (SELECT 1 FROM outcome_signals s WHERE s.deployment_id = dep.id
                         AND s.observed_at <= dep.deployed_at + make_interval(days => p_days)) AS observed,
               EXISTS (SELECT 1 FROM outcome_signals s WHERE s.deployment_id = dep.id
                         AND s.signal_type = 'regressed'
                         AND s.observed_at <= dep.deployed_at + make_interval(days => p_days)) AS regressed
        FROM deployment_records dep
        JOIN decision_records d ON d.id = dep.decision_id
        LEFT JOIN requirements r ON r.id = d.requirement_id
        JOIN requirement_candidates c ON c.id = coalesce(d.candidate_id, r.source_candidate_id)
        JOIN widgets w ON w.id = c.source_widget_id
        WHERE dep.deployed_at >= now() - make_interval(days => p_window_days)
    ), change_groups AS (
        SELECT hub_id, widget_type, category, count(*) AS n, count(*) FILTER (WHERE regressed) AS k,
               jsonb_agg(jsonb_build_object('deployment', id, 'decision', decision_id) ORDER BY id) AS evidence
        FROM deployments WHERE observed
        GROUP BY hub_id, widget_type, category
        HAVING count(*) >= p_min_deployments AND 2 * count(*) FILTER (WHERE regressed) >= count(*)
    ), latest_run AS (
        SELECT DISTINCT ON (hub_id) hub_id, run_id FROM outcome_correlations ORDER BY hub_id, computed_at DESC
    ), found AS (
        SELECT hub_id, 'change_regressions' AS insight_type,
               format('%s of %s changes to %s widgets for %s feedback regressed within %s days',
                      k, n, widget_type, category, p_days) AS statement,
               jsonb_build_object('deployments', evidence) AS evidence,
               format('change_regressions:%s:%s:%s/%s', widget_type, category, k, n) AS fingerprint
        FROM change_groups
        UNION ALL
        SELECT hub_id, 'pattern_success',
               format('Changes of the pattern “%s” worked in %s of %s observed deployments',
                      pattern_id, successes, observed_deployments),
               jsonb_build_object('pattern', pattern_id),
               format('pattern_success:%s:%s/%s', pattern_id, successes, observed_deployments)
        FROM pattern_analytics
        WHERE observed_deployments >= p_min_deployments AND 4 * successes >= 3 * observed_deployments
        UNION ALL
        SELECT hub_id, 'pattern_failure',
               format('Changes of the pattern “%s” regressed in %s of %s observed deployments',
                      pattern_id, regressions, observed_deployments),
               jsonb_build_object('pattern', pattern_id),
               format('pattern_failure:%s:%s/%s', pattern_id, regressions, observed_deployments)
        FROM pattern_analytics
        WHERE observed_deployments >= p_min_deployments AND 2 * regressions >= observed_deployments
        UNION ALL
        SELECT o.hub_id, 'correlation',
               format('Signals after changes with %s = %s regressed %s%% of the time, against %s%% for the rest',
                      replace(o.correlation_type, '_', ' '), o.factor_value, round(o.regression_rate * 100),
                      round(o.baseline_rate * 100)),
               jsonb_build_object('correlation', o.id),
               format('correlation:%s:%s:%s/%s', o.correlation_type, o.factor_value, o.regressed, o.signals)
        FROM outcome_correlations o JOIN latest_run l ON l.run_id = o.run_id
        WHERE o.ci_low > 0 AND o.signals >= p_min_deployments
    )
    INSERT INTO learning_insights (id, hub_id, insight_type, statement, evidence, fingerprint, status, created_at)
    SELECT gen_random_uuid(), hub_id, insight_type, statement, evidence, fingerprint, 'new', now()
    FROM found
    ON CONFLICT (hub_id, fingerprint) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SET jit = off;
