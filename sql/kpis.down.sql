DROP FUNCTION ihf_kpi_weekly(uuid[], integer);
DROP FUNCTION ihf_kpi_outcome_coverage(uuid[], timestamptz, timestamptz);
DROP FUNCTION ihf_kpi_cycle_times(uuid[], timestamptz, timestamptz);
DROP FUNCTION ihf_kpi_chains(uuid[]);
