-- Back to noticing changes at the next sync only.
DROP TRIGGER IF EXISTS api_keys_notify_delete ON api_keys;
DROP TRIGGER IF EXISTS api_keys_notify_change ON api_keys;
DROP FUNCTION IF EXISTS ihf_notify_api_key_change();
