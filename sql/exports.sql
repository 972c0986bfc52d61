-- Training and audit exports (seed 003 `finetune_exports`, docs/exports.md): one JSON document per line,
-- built set-based in PostgreSQL and streamed out by COPY, so that memory stays flat at any size.

-- decision_outcome: each decision of the hubs decided in [p_from, p_to), with the feedback it came from, its
-- rationale, its deployments with their signals and evaluation. Set-based: each candidate's feedback and each
-- decision's deployments are built once and joined (many decisions share a candidate), not per row. The
-- function has no SET clause so that PostgreSQL inlines it and plans it with the caller's values; the caller
-- turns JIT off (reporting/exports.py), which spends seconds compiling what runs in a few.
CREATE FUNCTION ihf_export_decision_outcomes(p_hub_ids uuid[], p_from timestamptz, p_to timestamptz)
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    WITH d AS (
        SELECT x.*, coalesce(x.candidate_id, q.source_candidate_id) AS subject_candidate_id
        FROM decision_records x LEFT JOIN requirements q ON q.id = x.requirement_id
        WHERE x.hub_id = ANY(p_hub_ids) AND x.decided_at >= p_from AND x.decided_at < p_to
    ),
    feedback AS (
        SELECT c.id, json_build_object(
            'candidate', json_build_object('id', c.id, 'title', c.title, 'description', c.description,
                                           'category', c.category, 'status', c.status),
            'widget', json_build_object('id', w.id, 'name', w.name, 'type', w.widget_type),
            'annotations', coalesce((
                SELECT json_agg(json_build_object('id', a.id, 'body', a.body, 'category', a.category,
                                                  'severity', a.severity, 'created_at', a.created_at)
                                ORDER BY a.created_at)
                FROM annotations a
                WHERE a.retracted_at IS NULL
                  AND (a.id = c.source_annotation_id OR a.thread_id = c.source_thread_id)
            ), '[]'::json)) AS document
        FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id
        WHERE c.id IN (SELECT subject_candidate_id FROM d)
    ),
    deployed AS (
        SELECT r.* FROM deployment_records r WHERE r.decision_id IN (SELECT id FROM d)
    ),
    status AS (
        SELECT DISTINCT ON (v.deployment_id) v.deployment_id, v.status
        FROM remediation_events v WHERE v.deployment_id IN (SELECT id FROM deployed)
        ORDER BY v.deployment_id, v.created_at DESC, v.event_id DESC
    ),
    signals AS (
        SELECT s.deployment_id,
               json_agg(json_build_object('signal_type', s.signal_type, 'value', s.value, 'observed_at', s.observed_at)
                        ORDER BY s.observed_at) AS list
        FROM outcome_signals s WHERE s.deployment_id IN (SELECT id FROM deployed)
        GROUP BY s.deployment_id
    ),
    deployments AS (
        SELECT r.decision_id, json_agg(json_build_object(
            'id', r.id, 'version_ref', r.version_ref, 'deployed_at', r.deployed_at, 'status', st.status,
            'signals', coalesce(sg.list, '[]'::json),
            'evaluation', CASE WHEN e.id IS NULL THEN NULL ELSE json_build_object(
                'score', e.score, 'rationale', e.rationale, 'evaluated_at', e.evaluated_at) END
        ) ORDER BY r.deployed_at) AS list
        FROM deployed r
        LEFT JOIN status st ON st.deployment_id = r.id
        LEFT JOIN signals sg ON sg.deployment_id = r.id
        LEFT JOIN change_evaluations e ON e.deployment_id = r.id
        GROUP BY r.decision_id
    )
    SELECT json_build_object(
        'record_type', 'decision_outcome',
        'hub', h.slug,
        'decision', json_build_object('id', d.id, 'title', d.title, 'rationale', d.rationale,
                                      'outcome', d.outcome, 'decided_at', d.decided_at, 'notes', d.notes),
        'feedback', f.document,
        'deployments', coalesce(p.list, '[]'::json)
    )::text
    FROM d
    JOIN hubs h ON h.id = d.hub_id
    LEFT JOIN feedback f ON f.id = d.subject_candidate_id
    LEFT JOIN deployments p ON p.decision_id = d.id
    ORDER BY d.decided_at, d.id
$$;

-- proposal_review (export type rlhf_trace): each reviewed AI proposal of the hubs, reviewed in
-- [p_from, p_to): what the agent saw, what it proposed and how sure it was, and what the person decided.
CREATE FUNCTION ihf_export_proposal_reviews(p_hub_ids uuid[], p_from timestamptz, p_to timestamptz)
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'record_type', 'proposal_review',
        'hub', h.slug,
        'input', json_build_object(
            'candidate', CASE WHEN c.id IS NULL THEN NULL ELSE
                json_build_object('id', c.id, 'title', c.title, 'description', c.description) END,
            'duplicate_of', CASE WHEN o.id IS NULL THEN NULL ELSE
                json_build_object('id', o.id, 'title', o.title, 'description', o.description) END,
            'thread', CASE WHEN t.id IS NULL THEN NULL ELSE
                json_build_object('id', t.id, 'title', t.title, 'annotations', (
                    SELECT json_agg(a.body ORDER BY a.created_at) FROM annotations a
                    WHERE a.thread_id = t.id AND a.retracted_at IS NULL)) END,
            'decision', CASE WHEN d.id IS NULL THEN NULL ELSE
                json_build_object('id', d.id, 'title', d.title, 'rationale', d.rationale) END),
        'proposal', json_build_object(
            'id', p.id, 'type', p.proposal_type, 'content', p.content, 'details', p.details,
            'model_ref', p.model_ref, 'confidence', p.confidence, 'created_at', p.created_at,
            'confidence_notes', coalesce((SELECT json_agg(json_build_object('dimension', n.dimension, 'score', n.score,
                                                                           'explanation', n.explanation) ORDER BY n.dimension)
                                          FROM confidence_annotations n WHERE n.proposal_id = p.id), '[]'::json)),
        'review', json_build_object('decision', v.decision, 'notes', v.notes, 'modified', v.modified_content,
                                    'reviewer_id', v.reviewer_id, 'reviewed_at', v.reviewed_at)
    )::text
    FROM agent_review_records v
    JOIN agent_proposals p ON p.id = v.proposal_id
    JOIN hubs h ON h.id = p.hub_id
    LEFT JOIN requirement_candidates c ON c.id = p.source_candidate_id
    LEFT JOIN requirement_candidates o ON o.id = p.duplicate_of_candidate_id
    LEFT JOIN annotation_threads t ON t.id = p.source_thread_id
    LEFT JOIN decision_records d ON d.id = p.source_decision_id
    WHERE p.hub_id = ANY(p_hub_ids) AND v.reviewed_at >= p_from AND v.reviewed_at < p_to
    ORDER BY v.reviewed_at, v.id
$$;
