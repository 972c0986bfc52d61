DROP TRIGGER IF EXISTS annotations_no_delete ON annotations;
DROP TRIGGER IF EXISTS annotations_no_edit ON annotations;
DROP FUNCTION IF EXISTS prevent_annotation_mutation();
