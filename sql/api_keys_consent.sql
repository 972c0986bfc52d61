-- ihf_use_api_key() also returns whether the key's hub requires the person's consent before reporting
-- (hubs.reporter_consent_required), so that the web process enforces it from what it caches with the key:
-- no query of its own per request. Otherwise as sql/api_keys_verified_count.sql.
DROP FUNCTION IF EXISTS ihf_use_api_key(text, boolean, integer, text);

CREATE FUNCTION ihf_use_api_key(p_public_id text, p_async boolean, p_requests integer, p_secret_hash text)
RETURNS TABLE (key_id uuid, hub_id uuid, scope text, secret_hash text, window_count integer,
               rate_limit_per_minute integer, window_remaining double precision, hub_slug text,
               allowed_origins jsonb, consent_required boolean) AS $$
BEGIN
    IF p_async THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    RETURN QUERY
    UPDATE api_keys AS k SET
        last_used_at = CASE WHEN k.secret_hash = p_secret_hash THEN now() ELSE k.last_used_at END,
        window_started_at = CASE WHEN k.secret_hash <> p_secret_hash THEN k.window_started_at
                                 WHEN k.window_started_at > now() - interval '1 minute'
                                 THEN k.window_started_at ELSE now() END,
        window_count = CASE WHEN k.secret_hash <> p_secret_hash THEN k.window_count
                            WHEN k.window_started_at > now() - interval '1 minute'
                            THEN k.window_count + p_requests ELSE p_requests END
    FROM hubs AS h
    WHERE k.public_id = p_public_id AND k.revoked_at IS NULL AND h.id = k.hub_id
    RETURNING k.id, k.hub_id, k.scope, k.secret_hash, k.window_count, k.rate_limit_per_minute,
              extract(epoch FROM k.window_started_at + interval '1 minute' - now())::double precision,
              h.slug, h.allowed_origins, h.reporter_consent_required;
END;
$$ LANGUAGE plpgsql;

-- A hub that starts requiring consent (or changes its allowed origins) must not wait for each process's next
-- sync of its keys: every key of the hub is announced on the channel of sql/api_keys_notify.sql, and each
-- process's listener (hubs/key_listener.py) drops it, so its next request reads the hub afresh.
CREATE FUNCTION ihf_notify_hub_keys_change()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('ihf_api_keys', k.public_id) FROM api_keys AS k WHERE k.hub_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER hubs_notify_key_change
    AFTER UPDATE OF reporter_consent_required, allowed_origins, slug ON hubs
    FOR EACH ROW
    WHEN (OLD.reporter_consent_required IS DISTINCT FROM NEW.reporter_consent_required
          OR OLD.allowed_origins IS DISTINCT FROM NEW.allowed_origins
          OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION ihf_notify_hub_keys_change();
