-- Look up an API key by its public id and add `p_requests` requests to its one-minute window, recording
-- its last use, in one statement; returns the key's hash (compared by the caller), the hub it serves, the
-- window's count and the seconds left in it. Each web process calls this about once a second per key and
-- counts in between itself (hubs/keys.py), so the key's row is no longer written once per request.
--
-- The row is still hot across processes. With p_async the statement's own transaction commits without
-- waiting for the WAL flush (synchronous_commit = off, for this transaction only), which releases the row
-- lock at once; a crash can at worst forget a few counts. Callers pass p_async only when the statement is its
-- own transaction, never inside one that writes durable data.
DROP FUNCTION IF EXISTS ihf_use_api_key(text, boolean);

CREATE FUNCTION ihf_use_api_key(p_public_id text, p_async boolean, p_requests integer)
RETURNS TABLE (key_id uuid, hub_id uuid, scope text, secret_hash text, window_count integer,
               rate_limit_per_minute integer, window_remaining double precision, hub_slug text,
               allowed_origins jsonb) AS $$
BEGIN
    IF p_async THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    RETURN QUERY
    UPDATE api_keys AS k SET
        last_used_at = now(),
        window_started_at = CASE WHEN k.window_started_at > now() - interval '1 minute'
                                 THEN k.window_started_at ELSE now() END,
        window_count = CASE WHEN k.window_started_at > now() - interval '1 minute'
                            THEN k.window_count + p_requests ELSE p_requests END
    FROM hubs AS h
    WHERE k.public_id = p_public_id AND k.revoked_at IS NULL AND h.id = k.hub_id
    RETURNING k.id, k.hub_id, k.scope, k.secret_hash, k.window_count, k.rate_limit_per_minute,
              extract(epoch FROM k.window_started_at + interval '1 minute' - now())::double precision,
              h.slug, h.allowed_origins;
END;
$$ LANGUAGE plpgsql;
