-- Seed 003's KPIs, computed in PostgreSQL over whole sets (docs/metrics.md, "KPIs", says what each means).

-- One row per candidate of the hubs: when each step of its loop happened (NULL where it has not yet).
-- The annotation is the candidate's source annotation, or the first of its source thread; the decision is
-- the first one on the candidate or on the requirement it was promoted to; the deployment is that decision's
-- first one that went live (a `success` status event); the first signal and the evaluation are that
-- deployment's.
CREATE FUNCTION ihf_kpi_chains(p_hub_ids uuid[])
RETURNS TABLE (candidate_id uuid, hub_id uuid, annotation_at timestamptz, candidate_at timestamptz,
               decided_at timestamptz, deployed_at timestamptz, first_signal_at timestamptz,
               evaluated_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT c.id, w.hub_id,
           coalesce(a.created_at, (SELECT min(t.created_at) FROM annotations t
                                   WHERE t.thread_id = c.source_thread_id AND t.retracted_at IS NULL)),
           c.created_at, d.decided_at, r.deployed_at,
           (SELECT min(s.observed_at) FROM outcome_signals s WHERE s.deployment_id = r.id),
           (SELECT e.evaluated_at FROM change_evaluations e WHERE e.deployment_id = r.id)
    FROM requirement_candidates c
    JOIN widgets w ON w.id = c.source_widget_id
    LEFT JOIN annotations a ON a.id = c.source_annotation_id
    LEFT JOIN LATERAL (
        SELECT x.id, x.decided_at FROM decision_records x
        WHERE x.candidate_id = c.id OR (c.requirement_id IS NOT NULL AND x.requirement_id = c.requirement_id)
        ORDER BY x.decided_at, x.id LIMIT 1
    ) d ON true
    LEFT JOIN LATERAL (
        SELECT y.id, y.deployed_at FROM deployment_records y
        WHERE y.decision_id = d.id
          AND EXISTS (SELECT 1 FROM remediation_events v WHERE v.deployment_id = y.id AND v.status = 'success')
        ORDER BY y.deployed_at, y.id LIMIT 1
    ) r ON true
    WHERE w.hub_id = ANY(p_hub_ids)
$$;

-- Median and p90 hours of each stage, and end to end (annotation to evaluation), over the stages that ended
-- in [p_from, p_to).
CREATE FUNCTION ihf_kpi_cycle_times(p_hub_ids uuid[], p_from timestamptz, p_to timestamptz)
RETURNS TABLE (stage text, items bigint, median_hours numeric, p90_hours numeric)
LANGUAGE sql STABLE AS $$
    WITH chains AS (SELECT * FROM ihf_kpi_chains(p_hub_ids)),
    stages (stage, position, started, ended) AS (
        SELECT 'annotation_to_candidate', 1, annotation_at, candidate_at FROM chains
        UNION ALL SELECT 'candidate_to_decision', 2, candidate_at, decided_at FROM chains
        UNION ALL SELECT 'decision_to_deployment', 3, decided_at, deployed_at FROM chains
        UNION ALL SELECT 'deployment_to_first_signal', 4, deployed_at, first_signal_at FROM chains
        UNION ALL SELECT 'first_signal_to_evaluation', 5, first_signal_at, evaluated_at FROM chains
        UNION ALL SELECT 'end_to_end', 6, annotation_at, evaluated_at FROM chains
    )
    SELECT stage, count(*),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ended - started)) / 3600)::numeric, 1),
           round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ended - started)) / 3600)::numeric, 1)
    FROM stages
    WHERE started IS NOT NULL AND ended IS NOT NULL AND ended >= started AND ended >= p_from AND ended < p_to
    GROUP BY stage, position
    ORDER BY position
$$;

-- Of the live deployments made in [p_from, p_to) at least 14 days ago: how many, how many got an outcome
-- signal within 14 days, how many have an evaluation.
CREATE FUNCTION ihf_kpi_outcome_coverage(p_hub_ids uuid[], p_from timestamptz, p_to timestamptz)
RETURNS TABLE (deployments bigint, with_signal_14d bigint, with_evaluation bigint)
LANGUAGE sql STABLE AS $$
    SELECT count(*),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM outcome_signals s WHERE s.deployment_id = r.id
                                          AND s.observed_at < r.deployed_at + interval '14 days')),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM change_evaluations e WHERE e.deployment_id = r.id))
    FROM deployment_records r
    JOIN decision_records d ON d.id = r.decision_id
    WHERE d.hub_id = ANY(p_hub_ids) AND r.deployed_at >= p_from AND r.deployed_at < p_to
      AND r.deployed_at <= now() - interval '14 days'
      AND EXISTS (SELECT 1 FROM remediation_events v WHERE v.deployment_id = r.id AND v.status = 'success')
$$;

-- Weekly values of the KPIs with a trend chart, for the p_weeks weeks up to now (Monday-based weeks, UTC).
CREATE FUNCTION ihf_kpi_weekly(p_hub_ids uuid[], p_weeks integer)
RETURNS TABLE (week date, kpi text, value numeric, items bigint)
LANGUAGE sql STABLE AS $$
    WITH bounds AS (SELECT date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => p_weeks - 1) AS since),
    chains AS (SELECT * FROM ihf_kpi_chains(p_hub_ids)),
    cycle AS (
        SELECT date_trunc('week', evaluated_at AT TIME ZONE 'UTC')::date AS week,
               'end_to_end_median_hours'::text AS kpi,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM evaluated_at - annotation_at)) / 3600)::numeric, 1) AS value,
               count(*) AS items
        FROM chains, bounds
        WHERE evaluated_at IS NOT NULL AND annotation_at IS NOT NULL AND evaluated_at >= annotation_at
          AND evaluated_at AT TIME ZONE 'UTC' >= bounds.since
        GROUP BY 1
    ),
    coverage AS (
        SELECT date_trunc('week', r.deployed_at AT TIME ZONE 'UTC')::date, 'outcome_coverage_14d',
               round(avg((EXISTS (SELECT 1 FROM outcome_signals s WHERE s.deployment_id = r.id
                                  AND s.observed_at < r.deployed_at + interval '14 days'))::int), 3),
               count(*)
        FROM deployment_records r JOIN decision_records d ON d.id = r.decision_id, bounds
        WHERE d.hub_id = ANY(p_hub_ids) AND r.deployed_at AT TIME ZONE 'UTC' >= bounds.since
          AND r.deployed_at <= now() - interval '14 days'
          AND EXISTS (SELECT 1 FROM remediation_events v WHERE v.deployment_id = r.id AND v.status = 'success')
        GROUP BY 1
    ),
    acted AS (
        SELECT date_trunc('week', n.sent_at AT TIME ZONE 'UTC')::date, 'notifications_acted_share',
               round(avg((n.user_action IS NOT NULL)::int), 3), count(*)
        FROM notification_outcomes n, bounds
        WHERE n.hub_id = ANY(p_hub_ids) AND n.sent_at AT TIME ZONE 'UTC' >= bounds.since
        GROUP BY 1
    ),
    fallback AS (
        SELECT date_trunc('week', c.created_at AT TIME ZONE 'UTC')::date, 'categorisation_fallback_rate',
               round(avg(c.fallback::int), 3), count(*)
        FROM annotation_categorisations c
        JOIN annotations a ON a.id = c.annotation_id JOIN widgets w ON w.id = a.widget_id, bounds
        WHERE w.hub_id = ANY(p_hub_ids) AND c.created_at AT TIME ZONE 'UTC' >= bounds.since
        GROUP BY 1
    ),
    accepted AS (
        SELECT date_trunc('week', v.reviewed_at AT TIME ZONE 'UTC')::date, 'ai_acceptance_rate',
               round(avg((v.decision <> 'rejected')::int), 3), count(*)
        FROM agent_review_records v JOIN agent_proposals p ON p.id = v.proposal_id, bounds
        WHERE p.hub_id = ANY(p_hub_ids) AND v.reviewed_at AT TIME ZONE 'UTC' >= bounds.since
        GROUP BY 1
    )
    SELECT * FROM cycle UNION ALL SELECT * FROM coverage UNION ALL SELECT * FROM acted
    UNION ALL SELECT * FROM fallback UNION ALL SELECT * FROM accepted
    ORDER BY 2, 1
$$;
