-- The seed's indexes on interaction_events, under the seed's names (longer than Django's 30-character
-- limit for Meta.indexes), plus the (widget_id, occurred_at) index for per-widget drill-downs over a
-- time range (DESIGN.md, invariant 8).
CREATE INDEX interaction_events_widget_id_idx ON interaction_events (widget_id);
CREATE INDEX interaction_events_occurred_at_idx ON interaction_events (occurred_at DESC);
CREATE INDEX interaction_events_widget_id_occurred_at_idx ON interaction_events (widget_id, occurred_at);
