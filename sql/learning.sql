-- Phase 12 (seed 002, issue #17): the learning loop's history guards, search, pattern view and the set-based
-- computations behind correlations, pattern snapshots, calibrations and insights (docs/metrics.md,
-- "Learning", has the formulas and a worked example).

-- History: correlations and pattern snapshots are only ever added.
CREATE OR REPLACE FUNCTION prevent_learning_history_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: a recompute adds rows, UPDATE and DELETE are not permitted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER outcome_correlations_no_update BEFORE UPDATE ON outcome_correlations
    FOR EACH ROW EXECUTE FUNCTION prevent_learning_history_mutation();
CREATE TRIGGER outcome_correlations_no_delete BEFORE DELETE ON outcome_correlations
    FOR EACH ROW EXECUTE FUNCTION prevent_learning_history_mutation();
CREATE TRIGGER outcome_correlations_no_truncate BEFORE TRUNCATE ON outcome_correlations
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();
CREATE TRIGGER pattern_performance_records_no_update BEFORE UPDATE ON pattern_performance_records
    FOR EACH ROW EXECUTE FUNCTION prevent_learning_history_mutation();
CREATE TRIGGER pattern_performance_records_no_delete BEFORE DELETE ON pattern_performance_records
    FOR EACH ROW EXECUTE FUNCTION prevent_learning_history_mutation();
CREATE TRIGGER pattern_performance_records_no_truncate BEFORE TRUNCATE ON pattern_performance_records
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();
REVOKE UPDATE, DELETE ON outcome_correlations, pattern_performance_records FROM ihf_app;

-- A calibration is decided once (proposed → applied | declined) and an insight acted on once
-- (new → acknowledged | dismissed); nothing else about either ever changes, and neither is deleted.
CREATE OR REPLACE FUNCTION prevent_learning_decision_mutation()
RETURNS TRIGGER AS $$
DECLARE
    v_open text := CASE TG_TABLE_NAME WHEN 'adaptive_threshold_configs' THEN 'proposed' ELSE 'new' END;
    v_free text[] := CASE TG_TABLE_NAME WHEN 'adaptive_threshold_configs'
                     THEN ARRAY['status', 'decided_by', 'decided_at']
                     ELSE ARRAY['status', 'acted_by', 'acted_at'] END;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME;
    END IF;
    IF OLD.status <> v_open OR (to_jsonb(NEW) - v_free) IS DISTINCT FROM (to_jsonb(OLD) - v_free) THEN
        RAISE EXCEPTION '% rows are decided once: only the status of an undecided row changes', TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER adaptive_threshold_configs_decided_once BEFORE UPDATE OR DELETE ON adaptive_threshold_configs
    FOR EACH ROW EXECUTE FUNCTION prevent_learning_decision_mutation();
CREATE TRIGGER adaptive_threshold_configs_no_truncate BEFORE TRUNCATE ON adaptive_threshold_configs
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();
CREATE TRIGGER learning_insights_acted_once BEFORE UPDATE OR DELETE ON learning_insights
    FOR EACH ROW EXECUTE FUNCTION prevent_learning_decision_mutation();
CREATE TRIGGER learning_insights_no_truncate BEFORE TRUNCATE ON learning_insights
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();

-- Full-text search of the knowledge base: weighted (title, then problem and decision, then the rest).
ALTER TABLE institutional_knowledge_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(problem, '') || ' ' || coalesce(decision_text, '')), 'B')
    || setweight(to_tsvector('english', coalesce(rationale, '') || ' ' || coalesce(evaluation, '')), 'C')
) STORED;
CREATE INDEX institutional_knowledge_entries_search_idx
    ON institutional_knowledge_entries USING GIN (search_vector);
CREATE INDEX institutional_knowledge_entries_hub_idx ON institutional_knowledge_entries (hub_id, created_at DESC);

CREATE INDEX regressions_deployment_id_idx ON regressions (deployment_id);

-- Seed 004's pattern_analytics: each pattern's current figures per hub, one row per (hub, pattern). A
-- deployment is observed once it has a signal; it regressed when a signal says so or a regression was
-- detected on it; it succeeded when observed, improved at least once and did not regress.
CREATE MATERIALIZED VIEW pattern_analytics AS
WITH per_deployment AS (
    SELECT d.hub_id, d.pattern, dep.id, dep.deployed_at,
           count(s.id) AS signals,
           count(s.id) FILTER (WHERE s.signal_type = 'improved') AS improved,
           count(s.id) FILTER (WHERE s.signal_type = 'regressed') > 0
               OR EXISTS (SELECT 1 FROM regressions g WHERE g.deployment_id = dep.id) AS regressed,
           min(s.observed_at) AS first_signal_at,
           (SELECT e.score FROM change_evaluations e WHERE e.deployment_id = dep.id) AS score
    FROM decision_records d
    JOIN deployment_records dep ON dep.decision_id = d.id
    LEFT JOIN outcome_signals s ON s.deployment_id = dep.id
    WHERE d.pattern IS NOT NULL
    GROUP BY d.hub_id, d.pattern, dep.id, dep.deployed_at
)
SELECT hub_id, pattern AS pattern_id, pattern AS pattern_name,
       count(*) AS deployments,
       count(*) FILTER (WHERE signals > 0) AS observed_deployments,
       count(*) FILTER (WHERE signals > 0 AND improved > 0 AND NOT regressed) AS successes,
       count(*) FILTER (WHERE regressed) AS regressions,
       round(count(*) FILTER (WHERE signals > 0 AND improved > 0 AND NOT regressed)::numeric
             / nullif(count(*) FILTER (WHERE signals > 0), 0), 4) AS success_rate,
       round(avg(score), 2) AS mean_evaluation_score,
       round((avg(extract(epoch FROM first_signal_at - deployed_at)) / 3600)::numeric, 1)
           AS mean_hours_to_first_signal,
       count(*) FILTER (WHERE deployed_at >= now() - interval '7 days') AS deployments_last_7_days,
       count(*) FILTER (WHERE deployed_at >= now() - interval '30 days') AS deployments_last_30_days,
       max(deployed_at) AS last_activity
FROM per_deployment
GROUP BY hub_id, pattern;

CREATE UNIQUE INDEX idx_pattern_analytics_pattern ON pattern_analytics (hub_id, pattern_id);

-- The application's role owns nothing, and only an owner may refresh a view: this runs as the owner.
-- CONCURRENTLY lets pages read the previous figures while the new ones are computed.
CREATE OR REPLACE FUNCTION ihf_snapshot_pattern_performance()
RETURNS integer AS $$
DECLARE
    v_rows integer;
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY pattern_analytics;
    INSERT INTO pattern_performance_records (id, hub_id, pattern, deployments, observed_deployments, successes,
        regressions, success_rate, mean_evaluation_score, mean_hours_to_first_signal, deployments_last_7_days,
        deployments_last_30_days, snapshot_at)
    SELECT gen_random_uuid(), hub_id, pattern_id, deployments, observed_deployments, successes, regressions,
           success_rate, mean_evaluation_score, mean_hours_to_first_signal, deployments_last_7_days,
           deployments_last_30_days, now()
    FROM pattern_analytics;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;
