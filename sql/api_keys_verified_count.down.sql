-- Back to counting every request that names the key (sql/api_keys_counted.sql, which stays).
DROP FUNCTION IF EXISTS ihf_use_api_key(text, boolean, integer, text);
