-- Back to one role: ihf_app keeps existing (it belongs to the cluster, and other databases may use it) but
-- loses its rights here.
DROP TRIGGER IF EXISTS widget_versions_no_truncate ON widget_versions;
DROP TRIGGER IF EXISTS widget_versions_no_delete ON widget_versions;
DROP TRIGGER IF EXISTS widget_versions_no_update ON widget_versions;
DROP FUNCTION IF EXISTS prevent_widget_version_mutation();

ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ihf_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ihf_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ihf_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ihf_app;
REVOKE USAGE ON SCHEMA public FROM ihf_app;
