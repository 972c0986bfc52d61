DROP FUNCTION ihf_export_proposal_reviews(uuid[], timestamptz, timestamptz);
DROP FUNCTION ihf_export_decision_outcomes(uuid[], timestamptz, timestamptz);
