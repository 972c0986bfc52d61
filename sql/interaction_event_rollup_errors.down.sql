-- Back to the rollup without error counts (sql/interaction_event_rollup_parts.sql); the migration then drops
-- the column.
CREATE OR REPLACE FUNCTION rollup_interaction_events()
RETURNS TRIGGER AS $$
BEGIN
    INSERT INTO widget_daily_event_counts (widget_id, day, event_count, partial)
    SELECT widget_id, day, sum(delta), true
    FROM (
        SELECT widget_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, 1 AS delta
        FROM new_events
        WHERE event_type <> 'retracted'
        UNION ALL
        SELECT original.widget_id, (original.occurred_at AT TIME ZONE 'UTC')::date, -1
        FROM new_events retraction
        JOIN interaction_events original
          ON original.id = CASE
              WHEN retraction.metadata ->> 'retracted_event_id'
                   ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              THEN (retraction.metadata ->> 'retracted_event_id')::uuid END
        WHERE retraction.event_type = 'retracted' AND original.event_type <> 'retracted'
    ) AS changes
    GROUP BY 1, 2;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Folds every (widget, day) that has partial rows into one total row; returns how many rows it folded.
-- Inserts running meanwhile only add rows this statement's snapshot does not see, which stay for the next
-- run; readers see the rows before or after the fold, never a mix (one statement). One fold at a time.
CREATE OR REPLACE FUNCTION compact_widget_daily_event_counts()
RETURNS integer AS $$
DECLARE
    folded integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('compact_widget_daily_event_counts')) THEN
        RETURN 0;
    END IF;
    WITH touched AS (
        SELECT DISTINCT widget_id, day FROM widget_daily_event_counts WHERE partial
    ), gone AS (
        DELETE FROM widget_daily_event_counts AS c
        USING touched
        WHERE c.widget_id = touched.widget_id AND c.day = touched.day
        RETURNING c.widget_id, c.day, c.event_count
    ), totals AS (
        INSERT INTO widget_daily_event_counts (widget_id, day, event_count, partial)
        SELECT widget_id, day, sum(event_count), false FROM gone GROUP BY 1, 2
    )
    SELECT count(*) INTO folded FROM gone;
    RETURN folded;
END;
$$ LANGUAGE plpgsql;
