-- Keeps widget_daily_event_counts current as events arrive. A statement-level trigger with a transition
-- table aggregates a whole batch (COPY or a multi-row INSERT) in one upsert instead of one per row.
-- `retracted` events are correction markers, not interactions, so they are not counted.
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

CREATE TRIGGER trg_interaction_events_rollup
    AFTER INSERT ON interaction_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_interaction_events();

-- Events stored before the trigger existed.
INSERT INTO widget_daily_event_counts (widget_id, day, event_count)
SELECT widget_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*)
FROM interaction_events
WHERE event_type <> 'retracted'
GROUP BY 1, 2
ON CONFLICT (widget_id, day) DO UPDATE SET event_count = EXCLUDED.event_count;
