DROP FUNCTION ihf_recompute_friction_calibrated(uuid, jsonb);
