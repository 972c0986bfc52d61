-- Back to one upserted row per (widget, day) (sql/interaction_event_rollup_retractions.sql): fold first, so
-- the unique constraint the migration restores holds.
SELECT compact_widget_daily_event_counts();
-- The fold queued deferred foreign-key checks, and ALTER TABLE refuses a table with pending ones.
SET CONSTRAINTS ALL IMMEDIATE;
DROP FUNCTION compact_widget_daily_event_counts();
-- The daily rollup, now also honouring corrections: a `retracted` event takes the event it names
-- (metadata.retracted_event_id) out of that event's day. Still one upsert per inserted batch.
CREATE OR REPLACE FUNCTION rollup_interaction_events()
RETURNS TRIGGER AS $$
BEGIN
    INSERT INTO widget_daily_event_counts (widget_id, day, event_count)
    SELECT widget_id, day, sum(delta)
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
    GROUP BY 1, 2
    -- A fixed order makes concurrent batches lock the same rows in the same order, so they cannot deadlock.
    ORDER BY 1, 2
    ON CONFLICT (widget_id, day)
    DO UPDATE SET event_count = widget_daily_event_counts.event_count + EXCLUDED.event_count;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
