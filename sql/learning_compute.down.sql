DROP FUNCTION ihf_generate_insights(int, int, int);
DROP FUNCTION ihf_calibrate(jsonb, jsonb, int, int);
DROP FUNCTION ihf_friction_weights(uuid, jsonb);
DROP FUNCTION ihf_compute_outcome_correlations(int);
DROP FUNCTION ihf_signal_facts(int);
