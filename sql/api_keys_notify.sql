-- Every web process keeps the API keys it has seen (hubs/keys.py) and rereads one about once a second. A key
-- revoked, re-limited or deleted must not wait for that: this trigger tells every process at once, through
-- NOTIFY on commit, and each process's listener (hubs/key_listener.py) drops the key, so its next request
-- reads it afresh. The usage counter's updates (ihf_use_api_key) touch other columns and notify nothing.
CREATE FUNCTION ihf_notify_api_key_change()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('ihf_api_keys', OLD.public_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_keys_notify_change
    AFTER UPDATE OF revoked_at, rate_limit_per_minute, secret_hash, scope, hub_id ON api_keys
    FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
          OR OLD.rate_limit_per_minute IS DISTINCT FROM NEW.rate_limit_per_minute
          OR OLD.secret_hash IS DISTINCT FROM NEW.secret_hash
          OR OLD.scope IS DISTINCT FROM NEW.scope
          OR OLD.hub_id IS DISTINCT FROM NEW.hub_id)
    EXECUTE FUNCTION ihf_notify_api_key_change();

CREATE TRIGGER api_keys_notify_delete
    AFTER DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION ihf_notify_api_key_change();
