-- Back to the rollup without retractions (sql/interaction_event_rollup.sql).
CREATE OR REPLACE FUNCTION rollup_interaction_events()
RETURNS TRIGGER AS $$
BEGIN
    INSERT INTO widget_daily_event_counts (widget_id, day, event_count)
    SELECT widget_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*)
    FROM new_events
    WHERE event_type <> 'retracted'
    GROUP BY 1, 2
    -- A fixed order makes concurrent batches lock the same rows in the same order, so they cannot deadlock.
    ORDER BY 1, 2
    ON CONFLICT (widget_id, day)
    DO UPDATE SET event_count = widget_daily_event_counts.event_count + EXCLUDED.event_count;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
