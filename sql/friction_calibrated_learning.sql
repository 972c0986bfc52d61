-- Friction on each hub's applied calibration (issue #17): the weights are the defaults overlaid with the
-- hub's last applied friction_weights calibration (ihf_friction_weights, sql/learning_compute.sql), so each
-- hub is scored with its own weights. Returns the number of scores written.
CREATE OR REPLACE FUNCTION ihf_recompute_friction_calibrated(p_hub_id uuid, p_defaults jsonb)
RETURNS integer AS $$
DECLARE
    v_hub uuid;
    v_rows integer := 0;
BEGIN
    FOR v_hub IN SELECT id FROM hubs WHERE p_hub_id IS NULL OR id = p_hub_id ORDER BY id LOOP
        v_rows := v_rows + ihf_recompute_friction(v_hub, ihf_friction_weights(v_hub, p_defaults));
    END LOOP;
    RETURN v_rows;
END;
$$ LANGUAGE plpgsql;
