DROP TRIGGER IF EXISTS decision_records_no_delete ON decision_records;
DROP TRIGGER IF EXISTS decision_records_no_edit ON decision_records;
DROP FUNCTION IF EXISTS prevent_decision_record_mutation();
