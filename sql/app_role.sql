-- The application's own role (DESIGN.md invariant 11): web processes and workers connect as ihf_app, which
-- owns nothing. It reads and writes rows; it cannot TRUNCATE, disable or drop a trigger, alter or drop a
-- table, or turn triggers off with session_replication_role (all of which need the owner or a superuser).
-- Migrations run as the owner, which grants ihf_app its rights here and, through default privileges, on every
-- table and sequence the owner creates later.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ihf_app') THEN
        BEGIN
            -- NOLOGIN here: whoever runs IHF decides how it logs in (bin/ihf allows it on development
            -- servers; production gives it a password, see README).
            CREATE ROLE ihf_app NOLOGIN;
        EXCEPTION
            WHEN duplicate_object THEN NULL;  -- another database of this cluster created it meanwhile
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'IHF runs as a role named ihf_app, which does not exist and which this role may not create'
                    USING HINT = 'Ask for it: CREATE ROLE ihf_app LOGIN PASSWORD ''…''; then migrate again (README, "Database roles").';
        END;
    END IF;
END;
$$;

GRANT USAGE ON SCHEMA public TO ihf_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ihf_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ihf_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ihf_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ihf_app;

-- The append-only records: rows are added, never changed or removed, so the role may not even try (their
-- triggers refuse it as well, for any role).
REVOKE UPDATE, DELETE ON interaction_events, outcome_signals, triage_states, hub_health_snapshots,
    remediation_events, deployment_records, widget_versions FROM ihf_app;

-- widget_versions is the widgets' history: append-only like the others.
CREATE FUNCTION prevent_widget_version_mutation()
RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'widget_versions is append-only: UPDATE and DELETE are not permitted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER widget_versions_no_update
    BEFORE UPDATE ON widget_versions
    FOR EACH ROW EXECUTE FUNCTION prevent_widget_version_mutation();

CREATE TRIGGER widget_versions_no_delete
    BEFORE DELETE ON widget_versions
    FOR EACH ROW EXECUTE FUNCTION prevent_widget_version_mutation();

CREATE TRIGGER widget_versions_no_truncate
    BEFORE TRUNCATE ON widget_versions
    FOR EACH STATEMENT EXECUTE FUNCTION prevent_history_truncate();
