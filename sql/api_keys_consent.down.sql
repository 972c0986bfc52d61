-- Back to sql/api_keys_verified_count.sql's ihf_use_api_key(), without the hub's consent flag.
DROP TRIGGER IF EXISTS hubs_notify_key_change ON hubs;
DROP FUNCTION IF EXISTS ihf_notify_hub_keys_change();
DROP FUNCTION IF EXISTS ihf_use_api_key(text, boolean, integer, text);

CREATE FUNCTION ihf_use_api_key(p_public_id text, p_async boolean, p_requests integer, p_secret_hash text)
RETURNS TABLE (key_id uuid, hub_id uuid, scope text, secret_hash text, window_count integer,
               rate_limit_per_minute integer, window_remaining double precision, hub_slug text,
               allowed_origins jsonb) AS $$
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
              h.slug, h.allowed_origins;
END;
$$ LANGUAGE plpgsql;
