-- Per-hub daily totals of the folded widget rows (hub_daily_event_counts), kept by the fold: the hub list
-- read ~250k widget rows to sum a month for 100 hubs (issue 21); it now reads 30 rows a hub plus the
-- widget rows not folded yet (a minute's worth). The fold recomputes the hub totals of every day it
-- touched in the same transaction, so that hub rows + partial widget rows always equal the widget rows.
CREATE OR REPLACE FUNCTION compact_widget_daily_event_counts()
RETURNS integer AS $$
DECLARE
    folded integer;
    folded_days date[];
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
    SELECT count(*), coalesce(array_agg(DISTINCT day), '{}') INTO folded, folded_days FROM gone;
    -- A new statement sees the fold; rows other inserts add meanwhile are partial and left to readers.
    PERFORM refresh_hub_daily_event_counts(NULL, folded_days);
    RETURN folded;
END;
$$ LANGUAGE plpgsql;

-- Recompute the hub totals of `p_hub_ids` (NULL: every hub) on `p_days` (NULL: every day) from the folded
-- widget rows.
CREATE OR REPLACE FUNCTION refresh_hub_daily_event_counts(p_hub_ids uuid[], p_days date[])
RETURNS void AS $$
BEGIN
    DELETE FROM hub_daily_event_counts
    WHERE (p_hub_ids IS NULL OR hub_id = ANY (p_hub_ids)) AND (p_days IS NULL OR day = ANY (p_days));
    INSERT INTO hub_daily_event_counts (hub_id, day, event_count)
    SELECT w.hub_id, c.day, sum(c.event_count)
    FROM widget_daily_event_counts c JOIN widgets w ON w.id = c.widget_id
    WHERE NOT c.partial
      AND (p_hub_ids IS NULL OR w.hub_id = ANY (p_hub_ids)) AND (p_days IS NULL OR c.day = ANY (p_days))
    GROUP BY 1, 2;
END;
$$ LANGUAGE plpgsql SET jit = off;

-- A widget moved to another hub takes its history along: both hubs' totals are recomputed.
CREATE OR REPLACE FUNCTION widgets_refresh_hub_daily_event_counts()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM refresh_hub_daily_event_counts(ARRAY[OLD.hub_id, NEW.hub_id], NULL);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER widgets_refresh_hub_daily_event_counts
    AFTER UPDATE OF hub_id ON widgets
    FOR EACH ROW WHEN (OLD.hub_id IS DISTINCT FROM NEW.hub_id)
    EXECUTE FUNCTION widgets_refresh_hub_daily_event_counts();

SELECT refresh_hub_daily_event_counts(NULL, NULL);
