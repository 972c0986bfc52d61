-- Back to one call per request (sql/api_keys.sql).
DROP FUNCTION IF EXISTS ihf_use_api_key(text, boolean, integer);

-- Authenticate an API key by its public id, count the request in the key's one-minute window and record
-- its last use, in one statement; returns the key's hash (compared by the caller) and the hub it serves.
--
-- Every request of a key updates the key's row, so that row is hot. With p_async the statement's own
-- transaction commits without waiting for the WAL flush (synchronous_commit = off, for this transaction
-- only), which releases the row lock at once; a crash can at worst forget a few counts. Callers pass
-- p_async only when the statement is its own transaction, never inside one that writes durable data.
CREATE OR REPLACE FUNCTION ihf_use_api_key(p_public_id text, p_async boolean)
RETURNS TABLE (key_id uuid, hub_id uuid, scope text, secret_hash text, window_count integer,
               rate_limit_per_minute integer, retry_after integer, hub_slug text, allowed_origins jsonb) AS $$
BEGIN
    IF p_async THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    RETURN QUERY
    UPDATE api_keys AS k SET
        last_used_at = now(),
        window_started_at = CASE WHEN k.window_started_at > now() - interval '1 minute'
                                 THEN k.window_started_at ELSE date_trunc('second', now()) END,
        window_count = CASE WHEN k.window_started_at > now() - interval '1 minute'
                            THEN k.window_count + 1 ELSE 1 END
    FROM hubs AS h
    WHERE k.public_id = p_public_id AND k.revoked_at IS NULL AND h.id = k.hub_id
    RETURNING k.id, k.hub_id, k.scope, k.secret_hash, k.window_count, k.rate_limit_per_minute,
              ceil(extract(epoch FROM k.window_started_at + interval '1 minute' - now()))::integer,
              h.slug, h.allowed_origins;
END;
$$ LANGUAGE plpgsql;
