DROP FUNCTION IF EXISTS enrich_lineage_on_outcome_batch();
DROP TRIGGER IF EXISTS trg_enrich_lineage ON outcome_signals;
DROP FUNCTION IF EXISTS enrich_lineage_on_outcome();
DROP FUNCTION IF EXISTS ihf_refresh_candidate_summary(uuid);
DROP FUNCTION IF EXISTS ihf_refresh_decision_summary(uuid);
DROP FUNCTION IF EXISTS ihf_decision_candidate(uuid);
DROP FUNCTION IF EXISTS ihf_outcome_summary(outcome_signals[]);
