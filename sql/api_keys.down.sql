DROP FUNCTION IF EXISTS ihf_use_api_key(text, boolean);
