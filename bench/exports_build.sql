-- bench/exports.py's data (the hubs and widgets are made by the ORM first): %(records)s decisions; %% is a literal percent sign.
-- A scratch database: no trigger need keep summaries here (the lineage trigger would dominate the build).
SET session_replication_role = replica;
INSERT INTO annotations (id, widget_id, body, category, severity, actor_type, created_at)
    SELECT gen_random_uuid(), w.id, 'Pressing Enter on ' || w.name || ' does nothing; I have to click.', 'friction',
           'medium', 'user', now() - interval '100 days'
    FROM widgets w;
INSERT INTO requirement_candidates (id, title, description, source_widget_id, source_annotation_id, category,
                                    status, created_at)
    SELECT gen_random_uuid(), 'Enter should submit ' || w.name, 'People expect Enter to submit the form.', w.id,
           a.id, 'friction', 'accepted', now() - interval '90 days'
    FROM widgets w JOIN annotations a ON a.widget_id = w.id;
CREATE TEMP TABLE bench_candidates AS
    SELECT c.id, w.hub_id, row_number() OVER (ORDER BY c.id) - 1 AS n
    FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id;
INSERT INTO decision_records (id, title, rationale, outcome, candidate_id, hub_id, decided_at, created_at)
    SELECT gen_random_uuid(), 'Decision ' || g, 'Keyboard users asked for it; the change is small and safe.',
           'approved', c.id, c.hub_id, now() - interval '60 days' + g * interval '1 second', now()
    FROM generate_series(0, %(records)s - 1) g JOIN bench_candidates c ON c.n = g %% 1000;
INSERT INTO deployment_records (id, decision_id, version_ref, deployed_at, created_at)
    SELECT gen_random_uuid(), d.id, 'v2', d.decided_at + interval '1 day', now()
    FROM decision_records d WHERE d.title ~ '0$';
INSERT INTO remediation_events (deployment_id, remediation_type, status, created_at)
    SELECT r.id, 'imperative', 'success', r.deployed_at FROM deployment_records r;
INSERT INTO outcome_signals (id, widget_id, deployment_id, signal_type, observed_at)
    SELECT gen_random_uuid(), c.source_widget_id, r.id, 'improved', r.deployed_at + interval '2 days'
    FROM deployment_records r JOIN decision_records d ON d.id = r.decision_id
    JOIN requirement_candidates c ON c.id = d.candidate_id;
INSERT INTO change_evaluations (id, deployment_id, decision_id, score, rationale, evaluated_at)
    SELECT gen_random_uuid(), r.id, r.decision_id, 4, 'Fewer errors after the change.', r.deployed_at + interval '5 days'
    FROM deployment_records r;
