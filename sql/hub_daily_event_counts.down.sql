-- Back to the fold without hub totals (sql/interaction_event_rollup_errors.sql); the migration then drops
-- the table.
DROP TRIGGER widgets_refresh_hub_daily_event_counts ON widgets;
DROP FUNCTION widgets_refresh_hub_daily_event_counts();
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
        RETURNING c.widget_id, c.day, c.event_count, c.error_count
    ), totals AS (
        INSERT INTO widget_daily_event_counts (widget_id, day, event_count, error_count, partial)
        SELECT widget_id, day, sum(event_count), sum(error_count), false FROM gone GROUP BY 1, 2
    )
    SELECT count(*) INTO folded FROM gone;
    RETURN folded;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION refresh_hub_daily_event_counts(uuid[], date[]);
